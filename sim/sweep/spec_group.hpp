#pragma once
// Reading one entry of a sweep spec's "groups" list (grammar in
// docs/sweep-spec.md). Internal to the spec reader.
#include <string>
#include <vector>

#include "sim/sweep/spec_json.hpp"
#include "sim/sweep/spec.hpp"

namespace allocsim::sim {

// What a group inherits from the spec's top level.
struct GroupDefaults {
  std::vector<ReplayMode> modes{ReplayMode::Virtual};
  unsigned repetitions = 1;
};

std::vector<ReplayMode> read_modes(const JsonAt& at);
SpecGroup read_group(const JsonAt& at, const GroupDefaults& defaults, const std::string& base_dir);

// The name a policy shows under in reports: the preset name, or an .ini file's stem.
std::string policy_label(const std::string& policy);

}  // namespace allocsim::sim
