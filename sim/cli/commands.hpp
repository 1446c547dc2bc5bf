#pragma once
// The subcommands, one per file (sim/cli/cmd_<name>.cpp). Listed in sim/cli/cli.cpp.
#include "sim/cli/cli.hpp"

namespace allocsim::sim {

int cmd_core_demo(const std::vector<std::string>& args);
int cmd_knobs(const std::vector<std::string>& args);
int cmd_gen(const std::vector<std::string>& args);
int cmd_convert(const std::vector<std::string>& args);
int cmd_stats(const std::vector<std::string>& args);
int cmd_replay(const std::vector<std::string>& args);
int cmd_sweep(const std::vector<std::string>& args);
int cmd_compare(const std::vector<std::string>& args);
int cmd_record(const std::vector<std::string>& args);
int cmd_calibrate(const std::vector<std::string>& args);
int cmd_validate(const std::vector<std::string>& args);

}  // namespace allocsim::sim
