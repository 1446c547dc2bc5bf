#include "sim/record/recorder.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "sim/common/process.hpp"
#include "sim/record/script_wrapper.hpp"
#include "sim/record/tools.hpp"
#include "traces/event_writer.hpp"
#include "traces/native_format.hpp"

namespace allocsim::sim {
namespace {

namespace fs = std::filesystem;

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// Runs argv with this process's stdin/stdout/stderr and environment plus
// `extra`, and returns how it ended. Like system(), this process ignores
// SIGINT and SIGQUIT meanwhile: a Ctrl-C stops the program, and the partial
// recording is still checked and kept.
ExitStatus run_attached(const std::vector<std::string>& argv, const std::vector<std::string>& extra) {
  std::vector<std::string> replaced;
  for (const auto& x : extra) replaced.push_back(x.substr(0, x.find('=')));
  ProcessSpec spec;
  spec.argv = argv;
  spec.env = environment_with(replaced, extra);
  spec.stdin_path = "";
  spec.default_signals = {SIGINT, SIGQUIT};
  struct sigaction ignore {}, old_int {}, old_quit {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  std::optional<ExitStatus> status;
  std::string failure;
  try {
    status = wait_exit(spawn(spec));
  } catch (const std::system_error& e) {
    failure = e.what();
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  if (!status) throw RecordSetupError(failure);
  return *status;
}

// heaptrack and the mtrace run report the program's end in the wait status
// (heaptrack's script exits with the program's status, 128+N for signal N).
ProgramEnd end_from_status(const ExitStatus& status, bool shell_convention) {
  ProgramEnd end;
  int code = status.code, sig = status.signal;
  if (shell_convention && code > 128) sig = code - 128;
  if (sig) {
    end.signal = signal_name(sig);
    end.problem = "the program was killed by " + end.signal;
  } else {
    end.exit_status = code;
  }
  return end;
}

std::string kept_name(const RecordRequest& r, bool partial, const std::string& extension) {
  return r.output + (partial ? ".partial." : ".") + record_tool_name(r.tool) + extension;
}

traces::Format source_format(RecordTool tool) {
  switch (tool) {
    case RecordTool::Heaptrack: return traces::Format::HeaptrackRaw;
    case RecordTool::Ltrace: return traces::Format::Ltrace;
    case RecordTool::Mtrace: return traces::Format::Mtrace;
  }
  return traces::Format::Auto;
}

// A text recording cut by a crash usually ends mid-line (the recorder's
// buffer was lost): the copy that is converted ends at the last whole line.
// Returns the path to convert; `copy` is set when a trimmed copy was made.
std::string whole_lines(const std::string& path, RecordTool tool, std::string& copy) {
  if (tool == RecordTool::Heaptrack) return path;  // compressed; its reader reports a cut record itself
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty() || text.back() == '\n') return path;
  text.resize(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  copy = path + ".whole-lines.tmp";
  std::ofstream(copy, std::ios::binary) << text;
  return copy;
}

std::uint64_t ns_since(std::chrono::steady_clock::time_point t0) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
}

// The program's fastest wall time of `runs` runs without any recorder, its
// output discarded (it was seen in the recorded run); 0 when a run fails,
// since a different run proves nothing about the recorded one's pace.
std::uint64_t untraced_wall_ns(const std::vector<std::string>& command, int runs) {
  std::uint64_t best = 0;
  for (int i = 0; i < runs; ++i) {
    ProcessSpec spec;
    spec.argv = command;
    spec.env = environment_with({}, {});
    spec.stdout_path = spec.stderr_path = "/dev/null";
    const auto t0 = std::chrono::steady_clock::now();
    const ExitStatus status = wait_exit(spawn(spec));
    const std::uint64_t ns = ns_since(t0);
    if (status.signal) return 0;
    best = best ? std::min(best, ns) : ns;
  }
  return best;
}

// `wall`: the recorder run's wall time, the program's time under the
// recorder when the recording has no clock of its own.
void convert(RecordOutcome& out, RecordTool tool, const std::string& destination, std::uint64_t wall, int untraced_runs,
             const std::vector<std::string>& command) {
  std::string copy;
  struct RemoveCopy {
    std::string& path;
    ~RemoveCopy() {
      std::error_code ignored;
      if (!path.empty()) fs::remove(path, ignored);
    }
  } remove_copy{copy};
  try {
    traces::ReadOptions options;
    options.format = source_format(tool);
    const std::string source = out.end.complete() ? out.recording : whole_lines(out.recording, tool, copy);
    auto reader = traces::open_trace(source, options);
    auto writer = traces::make_native_writer(destination);
    std::vector<traces::Event> batch(1 << 14);
    std::uint64_t first = traces::kNoTime, last = 0;
    while (const std::size_t n = reader->read(batch)) {
      writer->write(std::span<const traces::Event>(batch.data(), n));
      out.events += n;
      for (std::size_t i = 0; i < n; ++i)
        if (batch[i].time != traces::kNoTime) first = std::min(first, batch[i].time), last = std::max(last, batch[i].time);
    }
    traces::TraceInfo info = reader->info();
    if (out.end.complete() && untraced_runs > 0) {
      out.traced_ns = first != traces::kNoTime && last > first ? last - first : wall;
      out.untraced_ns = untraced_wall_ns(command, untraced_runs);
      if (out.untraced_ns) info.traced_wall_ns = out.traced_ns, info.untraced_wall_ns = out.untraced_ns;
    }
    writer->set_info(info);
    writer->finish();
    out.trace = destination;
    out.repairs = reader->anomalies().repairs();
    out.threads = reader->info().threads;
  } catch (const std::exception& e) {
    out.convert_error = e.what();
    out.events = 0;
  }
}

// Runs the recorder once and tells how the program ended.
ProgramEnd run_recorder(const RecordRequest& request, const Invocation& inv) {
  const ExitStatus status = run_attached(inv.argv, inv.env);
  if (request.tool != RecordTool::Ltrace) return end_from_status(status, request.tool == RecordTool::Heaptrack);
  ProgramEnd end = check_ltrace_log(inv.outputs.front());
  if (status.code != 0) {  // ltrace itself failed (e.g. ptrace not permitted)
    const ProgramEnd own = end_from_status(status, false);
    end.problem += std::string(end.problem.empty() ? "" : "; ") + "ltrace " +
                   (own.signal.empty() ? "exited with status " + std::to_string(*own.exit_status)
                                       : "was killed by " + own.signal);
    // ltrace crashing is ltrace's fault too (a Ctrl-C is not a crash).
    const int sig = status.signal;
    if (sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGILL) end.recorder_fault = true;
  }
  return end;
}

}  // namespace

RecordTool parse_record_tool(const std::string& name) {
  if (name == "heaptrack") return RecordTool::Heaptrack;
  if (name == "ltrace") return RecordTool::Ltrace;
  if (name == "mtrace") return RecordTool::Mtrace;
  throw std::invalid_argument("unknown recorder '" + name + "' (heaptrack, ltrace or mtrace)");
}

std::string record_tool_name(RecordTool tool) {
  switch (tool) {
    case RecordTool::Heaptrack: return "heaptrack";
    case RecordTool::Ltrace: return "ltrace";
    case RecordTool::Mtrace: return "mtrace";
  }
  return "?";
}

RecordOutcome record_program(const RecordRequest& given) {
  RecordRequest request = given;
  UnwrappedCommand unwrapped = unwrap_scripts(given.command);
  request.command = std::move(unwrapped.command);
  const std::string program = request.command.front();
  const fs::path out_dir = fs::absolute(request.output).parent_path();
  std::error_code ec;
  if (!fs::is_directory(out_dir, ec)) throw RecordSetupError(out_dir.string() + ": no such directory for -o");
  const Invocation inv = plan_recording(request, program, request.output + "." + record_tool_name(request.tool));
  for (const auto& note : unwrapped.notes) std::fprintf(stderr, "allocsim record: %s\n", note.c_str());
  RecordOutcome out;
  std::uint64_t wall = 0;
  for (int attempt = 1;; ++attempt) {
    for (const auto& stale : inv.outputs) fs::remove(stale, ec);  // "wrote nothing" must not find an old file
    const auto t0 = std::chrono::steady_clock::now();
    out.end = run_recorder(request, inv);
    wall = ns_since(t0);
    if (!out.end.recorder_fault || attempt >= request.attempts) break;
    std::fprintf(stderr, "allocsim record: %s; recording again (attempt %d of %d)\n", out.end.problem.c_str(),
                 attempt + 1, request.attempts);
  }
  std::string produced;
  for (const auto& candidate : inv.outputs)
    if (produced.empty() && fs::is_regular_file(candidate, ec)) produced = candidate;
  if (produced.empty()) {
    if (out.end.complete()) out.end.problem = record_tool_name(request.tool) + " wrote no recording";
    return out;
  }
  const bool partial = !out.end.complete();
  out.recording = produced;
  if (partial) {
    out.recording = kept_name(request, true, fs::path(produced).extension() == ".gz" ? ".raw.gz" : inv.extension);
    fs::rename(produced, out.recording);
  }
  std::vector<std::string> untraced = request.command;
  untraced.front() = program;
  convert(out, request.tool, partial ? request.output + ".partial" : request.output, wall, request.untraced_runs,
          untraced);
  return out;
}

}  // namespace allocsim::sim
