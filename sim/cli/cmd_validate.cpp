// allocsim validate [--policy P] [--config host.ini] [--set k=v]... [--runs N] [-o FILE] [--to text|json] -- CMD ARGS...
#include <fmt/core.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>

#include "sim/cli/command_line.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/output_options.hpp"
#include "sim/validate/validate.hpp"

namespace allocsim::sim {
namespace {

namespace fs = std::filesystem;

// liballocsim.so beside this binary: build/lib in a build tree, the
// install's library directory once installed.
std::string default_preload_library() {
  std::error_code ec;
  const fs::path bin = fs::canonical("/proc/self/exe", ec).parent_path();
  for (const char* dir : {"lib", ALLOCSIM_INSTALL_LIBDIR}) {
    const fs::path candidate = bin.parent_path() / dir / "liballocsim.so";
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return (bin.parent_path() / "lib" / "liballocsim.so").string();
}

}  // namespace

int cmd_validate(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  ValidateRequest request;
  std::string tool = "heaptrack";
  OutputArgs output;
  int timeout_s = int(request.timeout.count());
  bool keep = false;
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "this text")
      ("policy", po::value(&request.policy)->value_name("P"), "preset name or .ini (default: adaptive)")
      ("config", po::value(&request.config_file)->value_name("FILE.ini"),
       "replay and allocator knobs, e.g. the INI `allocsim calibrate` writes")
      ("set", po::value(&request.sets)->value_name("KEY=VALUE"), "a knob on top (repeatable)")
      ("runs", po::value(&request.runs)->default_value(request.runs)->value_name("N"), "runs under the LD_PRELOAD core")
      ("tool", po::value(&tool)->default_value(tool)->value_name("heaptrack|ltrace|mtrace"), "the recorder")
      ("preload", po::value(&request.preload_library)->value_name("LIB"), "the core as LD_PRELOAD library (default: liballocsim.so beside this binary)")
      ("timeout", po::value(&timeout_s)->default_value(timeout_s)->value_name("S"), "seconds each run of CMD may take")
      ("work-dir", po::value(&request.work_dir)->value_name("DIR"), "keep the recording, stats and outputs here (default: a temporary directory, removed)");
  add_output_options(visible, output, "text or json");
  if (parse_command_line(args, visible, "command", request.command)) {
    fmt::print("usage: allocsim validate [options] -- CMD ARGS...\n\n"
               "Records CMD, replays the recording in virtual mode with the run's knobs (give the\n"
               "calibrated host INI with --config), runs CMD under the LD_PRELOAD core with the same\n"
               "allocator knobs --runs times, and prints what the replay predicted against what the\n"
               "core measured, with the error: fallback rate, peak footprint, the heap's peak RSS\n"
               "(above the process's RSS at its first allocation), queue grows and reclaims, and\n"
               "collector utilization (docs/validation.md). Exit 2 when CMD fails or cannot be\n"
               "recorded, 1 when a run under the core fails.\n\n{}",
               options_text(visible));
    return kExitOk;
  }
  if (request.command.empty()) throw InputError("missing the program: allocsim validate [options] -- CMD ARGS...");
  if (timeout_s < 1) throw InputError("--timeout must be at least 1 second");
  request.timeout = std::chrono::seconds(timeout_s);
  request.tool = parse_record_tool(tool);
  const auto outputs = report_outputs(output, {ReportFormat::Text, ReportFormat::Json});  // before the work
  if (request.preload_library.empty()) request.preload_library = default_preload_library();
  if (request.work_dir.empty()) {
    request.work_dir = (fs::temp_directory_path() / fmt::format("allocsim-validate-{}", getpid())).string();
  } else {
    keep = true;
  }
  struct RemoveWorkDir {
    const std::string& dir;
    bool keep;
    ~RemoveWorkDir() {
      std::error_code ec;
      if (!keep) fs::remove_all(dir, ec);
    }
  } cleanup{request.work_dir, keep};
  const ValidationReport report = validate(request);
  for (const auto& o : outputs)
    emit(o, [&](std::ostream& out) {
      if (o.format == ReportFormat::Json) out << validation_json(report).dump(1) << '\n';
      else out << validation_text(report);
    });
  if (!output.paths.empty()) fmt::print(stderr, "{}", validation_text(report));  // stdout holds only the report
  return kExitOk;
}

}  // namespace allocsim::sim
