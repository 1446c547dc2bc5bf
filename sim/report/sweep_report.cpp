#include "sim/report/sweep_report.hpp"

#include "sim/common/atomic_file.hpp"
#include "sim/report/compare_print.hpp"
#include "sim/metrics/metric_table.hpp"
#include "sim/report/format.hpp"

namespace allocsim::sim {

namespace {

// The knob's effective value in the run (plans record it); the explicit setting otherwise.
std::string knob_value(const PlannedRun& r, const std::string& knob) {
  for (const auto& list : {&r.values, &r.knobs})
    for (const auto& [k, v] : *list)
      if (k == knob) return v;
  return "";
}

// "queue_initial=64 reclaim_after=4": what the spec set for this run; "" at the policy's own values.
std::string explicit_knobs(const PlannedRun& r) {
  std::string out;
  for (const auto& [k, v] : r.knobs) out += (out.empty() ? "" : " ") + k + "=" + v;
  return out;
}

bool has_label(const SweepResults& results, const std::string& label) {
  for (const auto& o : results.runs)
    if (o.run.label == label) return true;
  return false;
}

}  // namespace

void print_summary_csv(const SweepResults& results, std::ostream& out) {
  std::vector<std::string> header{"id", "status", "trace", "label", "backend", "policy", "allocator", "mode", "repetition", "seed", "knobs"};
  header.insert(header.end(), results.plan.swept.begin(), results.plan.swept.end());
  for (const auto& m : key_metrics()) header.emplace_back(m.name);
  header.emplace_back("error");
  for (std::size_t i = 0; i < header.size(); ++i) out << (i ? "," : "") << csv_field(header[i]);
  out << '\n';
  for (const auto& o : results.runs) {
    const PlannedRun& r = o.run;
    std::vector<std::string> f{r.id, std::string(to_string(o.status)), r.trace.name, r.label, std::string(to_string(r.backend)),
                               r.backend == BackendKind::Core ? r.label : "", r.allocator, std::string(to_string(r.mode)),
                               std::to_string(r.repetition), std::to_string(r.seed), explicit_knobs(r)};
    for (const auto& k : results.plan.swept) f.push_back(knob_value(r, k));
    for (const auto& m : key_metrics())
      f.push_back(o.status == RunStatus::Done ? csv_number(metric_value(o.metrics, m)) : "");
    f.push_back(o.error);
    for (std::size_t i = 0; i < f.size(); ++i) out << (i ? "," : "") << csv_field(f[i]);
    out << '\n';
  }
}

nlohmann::ordered_json sweep_report_json(const SweepResults& results) {
  const PlanFile& plan = results.plan;
  nlohmann::ordered_json j;
  j["schema"] = "allocsim-sweep-report/1";
  j["spec"] = {{"file", plan.spec_file}, {"description", plan.description}, {"baseline", plan.baseline}};
  j["shard"] = {{"k", plan.shard_k}, {"n", plan.shard_n}};
  j["counts"] = {{"planned", results.runs.size()},
                 {"done", results.count(RunStatus::Done)},
                 {"failed", results.count(RunStatus::Failed)},
                 {"missing", results.count(RunStatus::Missing)}};
  j["swept"] = plan.swept;
  j["notes"] = plan.notes;
  j["runs"] = nlohmann::ordered_json::array();
  for (const auto& o : results.runs) {
    nlohmann::ordered_json r = run_json(o.run);
    r.erase("identity");
    r["status"] = to_string(o.status);
    r["result"] = o.status == RunStatus::Done ? "runs/" + o.run.id + ".json"
                  : o.status == RunStatus::Failed ? "runs/" + o.run.id + ".failed.json" : "";
    if (!o.error.empty()) r["error"] = o.error;
    r["metrics"] = nlohmann::ordered_json::object();
    if (o.status == RunStatus::Done)
      for (const auto& m : key_metrics())
        if (auto v = metric_value(o.metrics, m)) r["metrics"][std::string(m.name)] = *v;
    j["runs"].push_back(std::move(r));
  }
  // A shard may hold none of the baseline's runs; its report then has no comparison.
  j["comparison"] = has_label(results, plan.baseline) ? comparison_json(compare_sweep(results, plan.baseline))
                                                      : nlohmann::ordered_json(nullptr);
  return j;
}

void write_sweep_reports(const SweepResults& results) {
  write_file_atomic(results.dir.summary_csv(), [&](std::ostream& out) { print_summary_csv(results, out); });
  write_file_atomic(results.dir.report_json(), sweep_report_json(results).dump(2) + "\n");
}

}  // namespace allocsim::sim
