#pragma once
// Every knob of the replay (not of the allocator), declared once with its
// default and meaning, in the style of allocator/config.hpp. A run's whole
// configuration is the allocator's Config plus these; both are set by a
// policy preset, a --config INI file and --set key=value, in that order.
// docs/replay.md explains the cost model the virtual-time knobs drive; the
// collector costs are those `allocsim calibrate` measured on the machine
// docs/replay.md names.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocator/config.hpp"
#include "sim/common/kinds.hpp"

namespace allocsim::sim {

// X(type, name, default, meaning)
#define ALLOCSIM_REPLAY_KNOBS(X)                                                                          \
  X(std::uint64_t, seed, 1, "seed of the cost jitter (the only random part of a virtual replay)")        \
  X(std::uint64_t, event_cost_ns, 300, "virtual ns between events of a trace without timestamps")        \
  X(double, time_scale, 0, "virtual time = recorded time x this (0: the trace's untraced/traced wall-time ratio, else 1)") \
  X(std::uint64_t, step_cost_ns, 1, "virtual ns of collector overhead per step")                       \
  X(std::uint64_t, pass_cost_ns, 560, "virtual ns per completed collector pass (a visit of every class)") \
  X(std::uint64_t, chunk_cost_ns, 1, "virtual ns per chunk the collector drains, queues or reclaims")  \
  X(std::uint64_t, hash_op_cost_ns, 25, "virtual ns per merge-set lookup, insert or erase")              \
  X(std::uint64_t, sort_cost_ns, 4, "virtual ns per chunk ordered by block age")                        \
  X(std::uint64_t, map_cost_ns, 163000, "virtual ns per block the collector maps from the OS")           \
  X(std::uint64_t, purge_cost_ns, 1, "virtual ns per madvise that gives free pages back")            \
  X(std::uint64_t, wake_latency_ns, 23000, "virtual ns from a wake-up to the collector's next step")     \
  X(std::uint64_t, collector_budget, 0, "work units per virtual collector step (0: the allocator's step_budget, as its thread)") \
  X(std::uint64_t, drain_ns, 10000000, "virtual ns the collector may work on after the last event")      \
  X(std::uint64_t, jitter_percent, 0, "each step's cost varies by up to +-this percent (seeded)")        \
  X(std::uint64_t, sample_period_ns, 0, "timeline period (virtual ns; wall ns in threaded mode); 0: about 2000 samples over the run") \
  X(std::uint64_t, max_samples, 4096, "timeline length cap: beyond it the period doubles")              \
  X(std::uint64_t, event_log_limit, 1000, "event log entries kept per kind (all are counted)")           \
  X(std::uint64_t, burst_gap_ns, 100000, "fallbacks closer than this form one fallback burst")           \
  X(Touch, touch, Touch::Pages, "what an allocation writes: none, first, pages or all")                  \
  X(std::uint64_t, max_events, 0, "replay at most this many events (0: the whole trace)")               \
  X(std::uint64_t, queue_events, 4096, "threaded: events buffered per replay thread")                   \
  X(std::uint64_t, stall_timeout_ms, 10000, "threaded: no progress for this long is reported as a stall")

struct ReplayKnobs {
#define ALLOCSIM_REPLAY_KNOB_FIELD(type, name, def, meaning) type name = def;
  ALLOCSIM_REPLAY_KNOBS(ALLOCSIM_REPLAY_KNOB_FIELD)
#undef ALLOCSIM_REPLAY_KNOB_FIELD

  bool operator==(const ReplayKnobs&) const = default;
  // Throws allocator::ConfigError naming the first knob out of range.
  void validate() const;
};

// Throws allocator::ConfigError ("bad value 'v' for knob 'k': expected ...").
// sim/config/knobs.hpp sets a knob of either table.
void set_replay_knob(ReplayKnobs& knobs, std::string_view key, std::string_view value);
// (name, type, default, meaning) of every replay knob, in declaration order.
const std::vector<allocator::KnobInfo>& replay_knobs();
// Every replay knob as (name, value text) in declaration order.
std::vector<std::pair<std::string, std::string>> replay_knob_values(const ReplayKnobs& knobs);

// A run's whole configuration and where it came from.
struct RunConfig {
  std::string policy;       // the preset name (or .ini path) the allocator config started from
  std::string config_file;  // the --config file, empty when none
  allocator::Config allocator;
  ReplayKnobs replay;
};

// A policy preset (configs/policies/NAME.ini) or a path to an .ini file
// (a '/' in it, or the .ini extension), read as allocator::load_policy
// reads it but stricter: a missing path is "no such file" (not "unknown
// policy"), a knob set twice in the file is an error, and a value the
// config's range check refuses names its line. Throws allocator::ConfigError.
allocator::Config load_policy_config(const std::string& name_or_path, const std::string& policies_dir);

// policy: preset name or .ini path ("" = adaptive); config_file: INI of
// allocator and replay knobs together ("" = none; read as strictly as a
// policy); sets: "key=value" applied last. Throws allocator::ConfigError
// naming the policy, the file and line, or the --set at fault, and the key.
RunConfig load_run_config(const std::string& policy, const std::string& config_file,
                          const std::vector<std::string>& sets, const std::string& policies_dir);

}  // namespace allocsim::sim
