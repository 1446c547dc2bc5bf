#include "sim/sweep/results.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/common/errors.hpp"
#include "sim/metrics/fields.hpp"
#include "sim/sweep/spec_json.hpp"

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
    } catch (const std::invalid_argument& e) {  // a figure of the wrong type
      o.status = RunStatus::Failed;
      o.error = dir.result(run.id) + ": " + e.what();
    } catch (const std::runtime_error& e) {
      o.status = RunStatus::Failed;
      o.error = e.what();
    }
  } else if (fs::exists(dir.failure(run.id), ec)) {
    o.status = RunStatus::Failed;
    try {
      o.error = read_json_file(dir.failure(run.id)).value("error", std::string("(no message)"));
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

nlohmann::json read_json_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(path + ": is a directory, not a JSON file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.view());
  } catch (const nlohmann::json::parse_error& e) {
    throw json_syntax_error(text.str(), path, e);
  }
}

nlohmann::json read_metrics_file(const std::string& path) {
  nlohmann::json doc = read_json_file(path);
  const auto* schema = doc.is_object() && doc.contains("schema") ? &doc["schema"] : nullptr;
  const std::string found = schema && schema->is_string() ? schema->get<std::string>() : "";
  if (!is_metrics_schema(found))
    throw InputError(fmt::format("{}: not a metrics file of `allocsim replay -o` ({}; expected \"schema\": \"{}\")", path,
                                 found.empty() ? std::string("no \"schema\" key") : "schema \"" + found + "\"",
                                 kMetricsSchema));
  return doc;
}

SweepResults load_sweep_results(const std::string& dir) {
  SweepResults results{SweepDir{dir}, read_plan(SweepDir{dir}), {}};
  // A shard's directory reports on its own slice; a merged one has shard 1/1.
  const auto mine = shard_runs(results.plan.runs, results.plan.shard_k, results.plan.shard_n);
  for (const auto& run : mine) results.runs.push_back(outcome_of(results.dir, run));
  return results;
}

}  // namespace allocsim::sim
