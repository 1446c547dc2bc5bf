// allocsim calibrate [-o host.ini] [--policy P] [--rounds N] [--chunks N]
#include <fmt/core.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "sim/calibrate/calibrate.hpp"
#include "sim/cli/command_line.hpp"
#include "sim/cli/commands.hpp"
#include "sim/common/atomic_file.hpp"
#include "sim/common/errors.hpp"
#include "sim/common/paths.hpp"
#include "sim/config/run_config.hpp"

namespace allocsim::sim {

namespace {

std::string host_description() {
  char name[256] = "?";
  gethostname(name, sizeof name - 1);
  return fmt::format("{} ({} CPUs online)", name, sysconf(_SC_NPROCESSORS_ONLN));
}

}  // namespace

int cmd_calibrate(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  CalibrationOptions options;
  std::string output, policy;
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "this text")
      ("output,o", po::value(&output)->value_name("FILE.ini"), "write the replay knobs to FILE.ini (use with --config)")
      ("policy", po::value(&policy)->value_name("P"), "the core's preset or .ini under calibration (default: adaptive)")
      ("rounds", po::value(&options.rounds)->default_value(options.rounds)->value_name("N"),
       "repetitions of the step scenarios (the spread is across them)")
      ("chunks", po::value(&options.chunks)->default_value(options.chunks)->value_name("N"),
       "garbage chunks per scenario (the merge sets reach this size)");
  std::vector<std::string> operands;
  if (parse_command_line(args, visible, "operand", operands)) {
    fmt::print("usage: allocsim calibrate [-o FILE.ini] [--policy P] [--rounds N] [--chunks N]\n\n"
               "Measures what the virtual replay charges for the collector's work on this machine\n"
               "by running the core's own collector and merge sets on a stepped heap: per step,\n"
               "pass, chunk, merge-set operation, sorted chunk, block mapped and page purge (fitted\n"
               "to every step taken), and the wake-up latency of a sleeping threaded collector.\n"
               "Prints the figures with their spread; -o writes them as replay knobs\n"
               "(docs/replay.md).\n\n{}",
               options_text(visible));
    return kExitOk;
  }
  if (!operands.empty()) throw InputError("unexpected operand '" + operands.front() + "'");
  if (options.rounds < 1) throw InputError("--rounds must be at least 1");
  if (options.chunks < 64) throw InputError("--chunks must be at least 64");
  if (!output.empty()) check_writable(output);  // before the measurements, not after
  options.config = load_run_config(policy, "", {}, policies_dir()).allocator;
  const Calibration c = calibrate(options);
  print_calibration(std::cout, c);
  if (!output.empty()) {
    write_file_atomic(output, [&](std::ostream& out) { write_calibration_ini(out, c, host_description()); });
    fmt::print(stderr, "allocsim calibrate: wrote {}\n", output);
  }
  return kExitOk;
}

}  // namespace allocsim::sim
