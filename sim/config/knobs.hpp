#pragma once
// The one place a sweep checks a knob named in a spec. A knob is either an
// allocator knob (allocator/config.hpp, `allocsim knobs`) or a replay knob
// (the replay engine's own table); sweeps pass both to `allocsim replay
// --set key=value`, which takes either kind.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace allocsim::sim {

enum class KnobKind { Allocator, Replay };

// Which table `name` belongs to. Throws std::invalid_argument for an
// unknown knob, and for "seed", which sweeps set through repetitions.
KnobKind knob_kind(std::string_view name);

// Checks that `name` is a knob and `value` parses for it. Throws
// std::invalid_argument ("unknown knob 'x' ..." or "bad value ...").
KnobKind check_knob(std::string_view name, std::string_view value);

// A JSON scalar as the text `--set` takes: 64, 0.25, true, "64K".
// Throws std::invalid_argument for arrays, objects and null.
std::string knob_text(const nlohmann::ordered_json& value);

}  // namespace allocsim::sim
