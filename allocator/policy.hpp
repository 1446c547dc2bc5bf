#pragma once
// Policies are named presets of Config: configs/policies/NAME.ini.
#include <string>
#include <vector>

#include "allocator/config.hpp"

namespace allocsim::allocator {

// The policy NAME from `dir` (NAME.ini), or a path to an .ini file.
// Throws ConfigError naming the policy and the ones that exist.
Config load_policy(const std::string& name_or_path, const std::string& dir);
// Names of the presets in `dir`, sorted.
std::vector<std::string> policy_names(const std::string& dir);

}  // namespace allocsim::allocator
