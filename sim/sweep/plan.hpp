#pragma once
// A sweep spec expanded into runs. Each run has an identity — what makes
// its result what it is — and an id that is a stable hash of it, so the
// same run gets the same id on every machine, in every shard, in every
// rerun, and a result file named by the id can be trusted when resuming.
//
// Identity (canonical JSON, keys sorted; XXH3-64 of its compact dump is the id):
//   {"backend": "core", "policy": "adaptive", "config": {non-default allocator knobs},
//    "replay": {replay knobs set by the spec}, "mode": "virtual", "seed": 1, "repetition": 0,
//    "trace": {"name": "ht_sqlite3.raw.zst", "hash": "xxh3-128:..."}}
//   system runs have "allocator" and "library" (as the spec names it) instead of policy/config.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/sweep/spec.hpp"

namespace allocsim::sim {

struct PlannedRun {
  std::string id;
  nlohmann::json identity;
  std::string label;  // what reports call it: the policy, or the system allocator's name
  std::string group;  // the spec group's name or JSON path
  BackendKind backend = BackendKind::Core;
  std::string policy;     // core: preset name or .ini path
  std::string allocator;  // system
  std::string preload;    // system: absolute path to LD_PRELOAD ("" = the process's own malloc)
  SpecTrace trace;
  ReplayMode mode = ReplayMode::Virtual;
  std::uint64_t seed = 0;
  unsigned repetition = 0;
  std::vector<KnobSetting> knobs;   // set + axis values, as passed to replay --set
  // Every knob the sweep sets anywhere (SweepPlan::swept) with its value in
  // this run — set, from the policy, or the default; "" where it does not
  // apply (allocator knobs on the system backend). Summaries and plots read
  // these, so a run at defaults still has its place on every axis.
  std::vector<KnobSetting> values;
};

// A core policy's own value of every swept knob (no knob set by the spec):
// what plots take as the policy's default point among its grid points.
struct PolicyValues {
  std::string label;
  std::vector<KnobSetting> values;
};

struct SweepPlan {
  std::vector<PlannedRun> runs;     // in expansion order, duplicates removed
  std::vector<std::string> swept;   // knob names a spec sets or sweeps (summary columns), first-seen order
  std::vector<PolicyValues> policy_values;  // each core policy of the runs, in first-seen order
  std::vector<std::string> notes;   // skipped allocators, merged duplicates
};

// Expands every group: labels x modes x axis points (cartesian across axes,
// zipped within one) x repetitions x traces. Checks each core run's full
// config; a combination that fails throws SpecError naming the group.
SweepPlan expand_sweep(const SweepSpec& spec);

std::string run_id(const nlohmann::json& identity);

// The k-th (1-based) of n disjoint slices, taken round-robin over the runs
// sorted by id: every run lands in exactly one shard whatever the machine.
std::vector<PlannedRun> shard_runs(const std::vector<PlannedRun>& runs, unsigned k, unsigned n);

// Arguments after the program name for `allocsim replay` writing to `output`.
std::vector<std::string> replay_arguments(const PlannedRun& run, const std::string& output);

}  // namespace allocsim::sim
