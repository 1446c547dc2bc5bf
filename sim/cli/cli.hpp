#pragma once
// The allocsim command line. Each subcommand is one function in its own
// file (sim/cli/cmd_<name>.cpp) that parses its options and calls the library.
#include <string>
#include <vector>

namespace allocsim::sim {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the work ran and found a problem (e.g. check failed)
inline constexpr int kExitBadInput = 2;  // bad arguments, bad file, bad config

// A subcommand receives its own arguments (argv[0] is "allocsim <name>").
using CommandMain = int (*)(const std::vector<std::string>& args);

int run_cli(int argc, char** argv);

}  // namespace allocsim::sim
