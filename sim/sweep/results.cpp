#include "sim/sweep/results.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "sim/common/errors.hpp"
#include "sim/metrics/fields.hpp"

namespace allocsim::sim {

namespace fs = std::filesystem;

namespace {

RunOutcome outcome_of(const SweepDir& dir, const PlannedRun& run) {
  RunOutcome o{run, RunStatus::Missing, {}, {}};
  std::error_code ec;
  if (fs::exists(dir.result(run.id), ec)) {
    try {
      o.metrics = metrics_from_json(read_metrics_file(dir.result(run.id)));
      o.status = RunStatus::Done;
    } catch (const nlohmann::json::exception& e) {  // a figure of the wrong type
      o.status = RunStatus::Failed;
      o.error = dir.result(run.id) + ": " + e.what();
    } catch (const std::runtime_error& e) {
      o.status = RunStatus::Failed;
      o.error = e.what();
    }
  } else if (fs::exists(dir.failure(run.id), ec)) {
    o.status = RunStatus::Failed;
    try {
      o.error = read_metrics_file(dir.failure(run.id)).value("error", std::string("(no message)"));
    } catch (const std::runtime_error& e) {
      o.error = e.what();
    }
  }
  return o;
}

}  // namespace

std::string_view to_string(RunStatus s) {
  switch (s) {
    case RunStatus::Done: return "done";
    case RunStatus::Failed: return "failed";
    case RunStatus::Missing: return "missing";
  }
  return "?";
}

std::size_t SweepResults::count(RunStatus s) const {
  std::size_t n = 0;
  for (const auto& r : runs) n += r.status == s;
  return n;
}

nlohmann::json read_metrics_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": not valid JSON: " + e.what());
  }
}

SweepResults load_sweep_results(const std::string& dir) {
  SweepResults results{SweepDir{dir}, read_plan(SweepDir{dir}), {}};
  // A shard's directory reports on its own slice; a merged one has shard 1/1.
  const auto mine = shard_runs(results.plan.runs, results.plan.shard_k, results.plan.shard_n);
  for (const auto& run : mine) results.runs.push_back(outcome_of(results.dir, run));
  return results;
}

}  // namespace allocsim::sim
