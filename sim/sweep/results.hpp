#pragma once
// A sweep directory read back: the plan, and for each planned run whether
// it completed (with its metrics), failed (with the error) or is missing.
// Summaries, reports, merges and compare all start from this.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/metrics/metrics.hpp"
#include "sim/sweep/plan_io.hpp"

namespace allocsim::sim {

enum class RunStatus { Done, Failed, Missing };
std::string_view to_string(RunStatus s);

struct RunOutcome {
  PlannedRun run;
  RunStatus status = RunStatus::Missing;
  // Done: the run's figures (sim/metrics/fields.hpp; the series and
  // counter groups, which reports do not need, are not read).
  Metrics metrics;
  std::string error;  // Failed: the run's last stderr line, or why its file is unreadable
};

struct SweepResults {
  SweepDir dir;
  PlanFile plan;
  std::vector<RunOutcome> runs;  // plan order; only the plan's shard
  std::size_t count(RunStatus s) const;
};

// Throws SpecError when DIR has no readable plan.json.
SweepResults load_sweep_results(const std::string& dir);

// A JSON file, read whole. Throws InputError naming the file, and the line
// and column of a syntax error.
nlohmann::json read_json_file(const std::string& path);
// The same for a metrics file of `allocsim replay -o`: a document of
// another schema (a plan, a report, a comparison) is an InputError saying
// which file is not a metrics file.
nlohmann::json read_metrics_file(const std::string& path);

}  // namespace allocsim::sim
