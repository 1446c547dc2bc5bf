#pragma once
// The allocator's configuration in a host process, from its environment:
//   ALLOCSIM_POLICY=NAME|PATH.ini   a preset from configs/policies/ (default: every knob's default)
//   ALLOCSIM_SET=key=value,...      knobs set on top of the policy
// Bad input never stops the host program: each problem is one line on
// stderr ("allocsim: ..."), and the bad part falls back to the defaults
// (an unknown policy -> the defaults; a bad knob -> that knob keeps its value;
// a combination that fails validation -> the defaults).
#include <string>
#include <vector>

#include "allocator/config.hpp"

namespace allocsim::preload {

struct EnvConfig {
  allocator::Config config;
  std::string policy;                 // "" when ALLOCSIM_POLICY is unset or was rejected
  std::vector<std::string> problems;  // one line each, without the "allocsim: " prefix
};

// policy and set: the variables' values (nullptr when unset).
// policy_dirs: where a policy NAME is looked up, in order.
EnvConfig config_from(const char* policy, const char* set, const std::vector<std::string>& policy_dirs);

// $ALLOCSIM_CONFIG_DIR/policies, <this library's dir>/../share/allocsim/configs/policies,
// then the source tree's configs/policies.
std::vector<std::string> default_policy_dirs();

}  // namespace allocsim::preload
