#pragma once
// A run's knobs in one table: the allocator's (allocator/config.hpp,
// `allocsim knobs`) and the replay's (sim/config/run_config.hpp, `allocsim
// replay --help`). Policy files, --config files, --set and sweep specs all
// set knobs through it, with one syntax for values (integers take K, M and
// G suffixes in both).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/config.hpp"
#include "sim/config/run_config.hpp"

namespace allocsim::sim {

enum class KnobKind { Allocator, Replay };

struct RunKnob {
  KnobKind kind;
  allocator::KnobInfo info;  // name, type, default, meaning
};

// The allocator's knobs, then the replay's, each in declaration order.
const std::vector<RunKnob>& run_knobs();
// nullptr for a name in neither table.
const RunKnob* find_knob(std::string_view name);

// Sets one knob of either table from text. Throws allocator::ConfigError
// ("unknown knob 'x' ..." or "bad value 'v' for knob 'x': expected ...").
void set_run_knob(RunConfig& run, std::string_view key, std::string_view value);

// For sweep specs: which table `name` belongs to. Throws
// std::invalid_argument for an unknown knob, and for "seed", which sweeps
// set through repetitions.
KnobKind knob_kind(std::string_view name);

// Checks that `name` is a knob and `value` parses for it. Throws
// std::invalid_argument ("unknown knob 'x' ..." or "bad value ...").
KnobKind check_knob(std::string_view name, std::string_view value);

// A JSON scalar as the text `--set` takes: 64, 0.25, true, "64K".
// Throws std::invalid_argument for arrays, objects and null.
std::string knob_text(const nlohmann::ordered_json& value);

}  // namespace allocsim::sim
