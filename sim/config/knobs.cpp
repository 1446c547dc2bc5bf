#include "sim/config/knobs.hpp"

#include <stdexcept>

namespace allocsim::sim {

const std::vector<RunKnob>& run_knobs() {
  static const std::vector<RunKnob> table = [] {
    std::vector<RunKnob> t;
    for (const auto& k : allocator::knobs()) t.push_back({KnobKind::Allocator, k});
    for (const auto& k : replay_knobs()) t.push_back({KnobKind::Replay, k});
    return t;
  }();
  return table;
}

const RunKnob* find_knob(std::string_view name) {
  for (const auto& k : run_knobs())
    if (k.info.name == name) return &k;
  return nullptr;
}

void set_run_knob(RunConfig& run, std::string_view key, std::string_view value) {
  const RunKnob* knob = find_knob(key);
  if (knob && knob->kind == KnobKind::Replay) set_replay_knob(run.replay, key, value);
  else allocator::set_knob(run.allocator, key, value);  // whose error names an unknown key
}

KnobKind knob_kind(std::string_view name) {
  // The seed is what tells repetitions apart; a spec sets it with "seed" and "repetitions".
  if (name == "seed")
    throw std::invalid_argument("'seed' is not swept as a knob: use the spec's top-level \"seed\" and \"repetitions\"");
  if (const RunKnob* knob = find_knob(name)) return knob->kind;
  throw std::invalid_argument("unknown knob '" + std::string(name) +
                              "' (allocsim knobs lists the allocator's, allocsim replay --help the replay's)");
}

KnobKind check_knob(std::string_view name, std::string_view value) {
  const KnobKind kind = knob_kind(name);
  try {
    RunConfig scratch;
    set_run_knob(scratch, name, value);
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
