#include "sim/cli.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <exception>
#include <string_view>

#include "sim/commands.hpp"

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
};

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
      fmt::print(stderr, "allocsim {}: error: {}\n", c.name, e.what());
      return kExitFailure;
    }
  }
  fmt::print(stderr, "allocsim: unknown command '{}' (see allocsim --help)\n", first);
  return kExitBadInput;
}

}  // namespace allocsim::sim
