#include "sim/config/knobs.hpp"

#include <stdexcept>

#include "allocator/config.hpp"
#include "sim/config/run_config.hpp"

namespace allocsim::sim {

namespace {

bool is_allocator_knob(std::string_view name) {
  for (const auto& k : allocator::knobs())
    if (k.name == name) return true;
  return false;
}

}  // namespace

KnobKind knob_kind(std::string_view name) {
  // The seed is what tells repetitions apart; a spec sets it with "seed" and "repetitions".
  if (name == "seed")
    throw std::invalid_argument("'seed' is not swept as a knob: use the spec's top-level \"seed\" and \"repetitions\"");
  if (is_replay_knob(name)) return KnobKind::Replay;
  if (is_allocator_knob(name)) return KnobKind::Allocator;
  throw std::invalid_argument("unknown knob '" + std::string(name) +
                              "' (allocsim knobs lists the allocator's, allocsim replay --help the replay's)");
}

KnobKind check_knob(std::string_view name, std::string_view value) {
  const KnobKind kind = knob_kind(name);
  try {
    if (kind == KnobKind::Replay) {
      ReplayKnobs scratch;
      set_replay_knob(scratch, name, value);
    } else {
      allocator::Config scratch;
      allocator::set_knob(scratch, name, value);
    }
  } catch (const allocator::ConfigError& e) {
    throw std::invalid_argument(e.what());
  }
  return kind;
}

std::string knob_text(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();  // integers exactly, floats in shortest round-trip form
  throw std::invalid_argument("expected a number, string or boolean knob value, found " + std::string(value.type_name()));
}

}  // namespace allocsim::sim
