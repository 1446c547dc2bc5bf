// allocsim record [--tool heaptrack|ltrace|mtrace] -o OUT [--ltrace-config FILE] [--attempts N] -- CMD ARGS...
#include <fmt/core.h>

#include <boost/program_options.hpp>

#include "sim/common/atomic_file.hpp"
#include "sim/cli/command_line.hpp"
#include "sim/cli/commands.hpp"
#include "sim/record/recorder.hpp"
#include "traces/event_reader.hpp"

namespace allocsim::sim {
namespace {

namespace po = boost::program_options;

int report(const RecordRequest& request, const RecordOutcome& out) {
  const std::string tool = record_tool_name(request.tool);
  if (!out.end.complete()) {
    fmt::print(stderr, "allocsim record: the recording is partial: {}\n", out.end.problem);
    if (out.recording.empty()) return kExitFailure;
    fmt::print(stderr, "allocsim record: partial {} recording kept as {}\n", tool, out.recording);
    if (!out.trace.empty())
      fmt::print(stderr, "allocsim record: converted what it holds to {} ({} events, {} threads, {} repairs)\n",
                 out.trace, out.events, out.threads, out.repairs);
    else
      fmt::print(stderr, "allocsim record: it cannot be converted: {}\n", out.convert_error);
    return kExitFailure;
  }
  if (out.trace.empty()) {
    fmt::print(stderr, "allocsim record: the {} recording {} cannot be converted: {}\n", tool, out.recording,
               out.convert_error);
    return kExitFailure;
  }
  fmt::print(stderr, "allocsim record: {} events, {} threads, {} repairs: {} ({}) -> {}\n", out.events, out.threads,
             out.repairs, out.recording, tool, out.trace);
  if (out.untraced_ns) {
    traces::TraceInfo times;
    times.traced_wall_ns = out.traced_ns, times.untraced_wall_ns = out.untraced_ns;
    fmt::print(stderr, "allocsim record: {:.1f} ms under {}, {:.1f} ms untraced: replay scales time by {:.4g}\n",
               out.traced_ns / 1e6, tool, out.untraced_ns / 1e6, times.untraced_ratio());
  }
  if (out.end.exit_status && *out.end.exit_status != 0) {
    fmt::print(stderr, "allocsim record: the program exited with status {} (its recording is complete)\n",
               *out.end.exit_status);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

int cmd_record(const std::vector<std::string>& args) {
  RecordRequest request;
  std::string tool = "heaptrack";
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "this text")
      ("tool", po::value(&tool)->default_value(tool)->value_name("heaptrack|ltrace|mtrace"), "the recorder")
      ("output,o", po::value(&request.output)->value_name("OUT"), "native trace to write (required)")
      ("ltrace-config", po::value(&request.ltrace_config)->value_name("FILE"),
       "ltrace prototype file (default: the installed alloc.ltrace.conf)")
      ("attempts", po::value(&request.attempts)->default_value(request.attempts)->value_name("N"),
       "runs in all when ltrace breaks the program (its \"unexpected breakpoint\" bug with threads)")
      ("untraced-runs", po::value(&request.untraced_runs)->default_value(request.untraced_runs)->value_name("N"),
       "times CMD also runs without the recorder (output discarded; the fastest wall time goes in the trace, "
       "and replay divides the recorder's slowdown out of the recorded times); 0: none");
  if (parse_command_line(args, visible, "command", request.command)) {
    fmt::print("usage: allocsim record [--tool heaptrack|ltrace|mtrace] -o OUT -- CMD ARGS...\n\n"
               "Runs CMD under the recorder with the flags docs/record.md gives, checks that the\n"
               "recording is whole (no process killed, every process exited), keeps it as\n"
               "OUT.<tool>.<ext> and converts it to the native trace OUT. A partial recording is\n"
               "kept as OUT.partial.<tool>.<ext> (converted to OUT.partial when it can be), and\n"
               "the exit status is 1, as it is when CMD exits with a non-zero status.\n\n{}",
               options_text(visible));
    return kExitOk;
  }
  request.tool = parse_record_tool(tool);
  if (request.attempts < 1) throw std::invalid_argument("--attempts must be at least 1");
  if (request.untraced_runs < 0) throw std::invalid_argument("--untraced-runs must be 0 or more");
  if (request.output.empty()) throw std::invalid_argument("missing -o OUT");
  check_writable(request.output);  // before the program runs, not after
  if (request.command.empty()) throw std::invalid_argument("missing the program: allocsim record -o OUT -- CMD ARGS...");
  return report(request, record_program(request));
}

}  // namespace allocsim::sim
