#pragma once
// DIR/plan.json: every run of a sweep (all shards), with the spec it came
// from, so reports, merges and compare know the whole sweep — which runs
// exist, their labels and knob values, the baseline — without the spec file.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/sweep/directory.hpp"
#include "sim/sweep/plan.hpp"

namespace allocsim::sim {

inline constexpr const char* kPlanSchema = "allocsim-sweep-plan/1";

struct PlanFile {
  std::string spec_file, description, baseline, spec_text;
  unsigned shard_k = 1, shard_n = 1;
  std::vector<std::string> swept;  // knob names set or swept by the spec
  std::vector<std::string> notes;
  std::vector<PlannedRun> runs;    // the whole sweep, not only this shard
  std::vector<PolicyValues> policy_values;  // absent from plans written before it existed
};

PlanFile make_plan_file(const SweepSpec& spec, const SweepPlan& plan, unsigned shard_k, unsigned shard_n);
nlohmann::ordered_json plan_json(const PlanFile& plan);
nlohmann::ordered_json run_json(const PlannedRun& run);
// Throws SpecError naming `file` and the JSON path when the document is not a plan.
PlanFile plan_from_json(const nlohmann::ordered_json& doc, const std::string& file);

void write_plan(const SweepDir& dir, const PlanFile& plan);
PlanFile read_plan(const SweepDir& dir);

}  // namespace allocsim::sim
