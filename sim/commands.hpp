#pragma once
// The subcommands, one per file (sim/cmd_<name>.cpp). Listed in sim/cli.cpp.
#include "sim/cli.hpp"

namespace allocsim::sim {

int cmd_core_demo(const std::vector<std::string>& args);

}  // namespace allocsim::sim
