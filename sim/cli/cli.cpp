#include "sim/cli/cli.hpp"

#include <fmt/core.h>

#include <boost/program_options/errors.hpp>
#include <cstdio>
#include <exception>
#include <string_view>

#include "allocator/config.hpp"
#include "sim/cli/commands.hpp"
#include "sim/common/errors.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::sim {
namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  CommandMain main;
};

// Built-ins are listed here explicitly (no self-registration).
constexpr Command kCommands[] = {
    {"core-demo", "exercise the allocator core on a synthetic workload and print its counters", cmd_core_demo},
    {"knobs", "list the allocator's knobs with defaults and meanings, and the policy presets", cmd_knobs},
    {"gen", "write a synthetic trace (steady, phased, prodcons, bursty, larson)", cmd_gen},
    {"convert", "convert a trace (heaptrack, ltrace, mtrace, csv, native) to native or csv", cmd_convert},
    {"stats", "read a trace once and print its counts, live bytes, temporaries and anomalies", cmd_stats},
    {"replay", "replay a trace through the core (any policy) or the system malloc and write metrics", cmd_replay},
    {"sweep", "run a sweep spec (traces x policies x knob grids) in parallel, resumable, shardable", cmd_sweep},
    {"compare", "compare a sweep's policies against a baseline, or two runs' metrics files", cmd_compare},
    {"record", "run a program under heaptrack, ltrace or mtrace and convert the recording to native", cmd_record},
    {"calibrate", "measure the collector costs the virtual replay charges, on this machine", cmd_calibrate},
    {"validate", "record a program, predict the core on it in virtual mode, and measure the real core under LD_PRELOAD", cmd_validate},
};

// The one place errors become exit codes. Bad input: this project's
// InputError family and the libraries' equivalents (arguments, traces,
// allocator configs); anything else is a failure of the run itself.
bool is_bad_input(const std::exception& e) {
  return dynamic_cast<const InputError*>(&e) || dynamic_cast<const std::invalid_argument*>(&e) ||
         dynamic_cast<const boost::program_options::error*>(&e) || dynamic_cast<const traces::TraceError*>(&e) ||
         dynamic_cast<const allocator::ConfigError*>(&e);
}

void print_usage(std::FILE* out) {
  fmt::print(out, "allocsim {}: allocator research simulator with trace replay\n\n", ALLOCSIM_VERSION);
  fmt::print(out, "usage: allocsim <command> [options]   (allocsim <command> --help for its options)\n\ncommands:\n");
  for (const auto& c : kCommands) fmt::print(out, "  {:<11} {}\n", c.name, c.summary);
  fmt::print(out, "\n  --version   print the version\n  --help      this text\n");
}

}  // namespace

int run_cli(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return kExitBadInput;
  }
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    print_usage(stdout);
    return kExitOk;
  }
  if (first == "--version") {
    fmt::print("allocsim {}\n", ALLOCSIM_VERSION);
    return kExitOk;
  }
  for (const auto& c : kCommands) {
    if (c.name != first) continue;
    std::vector<std::string> args{fmt::format("allocsim {}", c.name)};
    for (int i = 2; i < argc; ++i) args.emplace_back(argv[i]);
    try {
      return c.main(args);
    } catch (const std::exception& e) {
      if (is_bad_input(e)) {
        fmt::print(stderr, "allocsim {}: {}\n", c.name, e.what());
        return kExitBadInput;
      }
      fmt::print(stderr, "allocsim {}: error: {}\n", c.name, e.what());
      return kExitFailure;
    }
  }
  fmt::print(stderr, "allocsim: unknown command '{}' (see allocsim --help)\n", first);
  return kExitBadInput;
}

}  // namespace allocsim::sim
