#include "sim/report/compare_table.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <cstdint>
#include <stdexcept>
#include <tuple>

namespace allocsim::sim {

namespace {

std::string variant_key(const PlannedRun& r) {
  std::string key = fmt::format("{}|{}|{}", r.label, to_string(r.backend), to_string(r.mode));
  for (const auto& [k, v] : r.knobs) key += "|" + k + "=" + v;
  return key;
}

struct Accumulator {
  CompareRow row;
  std::vector<double> sums;
};

void accumulate(Accumulator& a, const RunOutcome& o) {
  if (o.status != RunStatus::Done) {
    ++a.row.failed;
    return;
  }
  ++a.row.runs;
  const auto& metrics = key_metrics();
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const auto v = metric_value(o.metrics, metrics[i]);
    if (!v) continue;
    CompareCell& c = a.row.cells[i];
    a.sums[i] += *v;
    c.min = std::min(c.min.value_or(*v), *v);
    c.max = std::max(c.max.value_or(*v), *v);
    ++c.values;
  }
}

std::size_t shared_knobs(const CompareRow& a, const CompareRow& b) {
  std::size_t n = 0;
  for (const auto& kv : a.knobs) n += std::find(b.knobs.begin(), b.knobs.end(), kv) != b.knobs.end();
  return n;
}

// The baseline row for `row`: a completed row of the baseline label on the
// same trace, preferring the same mode, then (for other labels) the most
// knob settings in common, then the fewest knob settings — so a knob
// variant of the baseline policy compares with the policy at its defaults.
std::optional<std::size_t> pick_baseline(const std::vector<CompareRow>& rows, std::size_t self, const std::string& baseline) {
  const CompareRow& row = rows[self];
  std::optional<std::size_t> best;
  std::tuple<bool, std::size_t, std::size_t> best_score{};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CompareRow& cand = rows[i];
    if (cand.label != baseline || cand.runs == 0) continue;
    const std::size_t shared = row.label == baseline ? 0 : shared_knobs(row, cand);
    const std::tuple<bool, std::size_t, std::size_t> score{cand.mode == row.mode, shared, SIZE_MAX - cand.knobs.size()};
    if (!best || score > best_score) best = i, best_score = score;
  }
  return best;
}

void fill_deltas(TraceComparison& t, const std::string& baseline) {
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    CompareRow& row = t.rows[i];
    row.baseline_row = pick_baseline(t.rows, i, baseline);
    if (!row.baseline_row) continue;
    t.rows[*row.baseline_row].is_baseline = true;
    const CompareRow& base = t.rows[*row.baseline_row];
    for (std::size_t m = 0; m < row.cells.size(); ++m) {
      CompareCell& c = row.cells[m];
      c.baseline = base.cells[m].value;
      if (!c.value || !c.baseline) continue;
      c.delta = *c.value - *c.baseline;
      if (*c.baseline != 0) c.ratio = *c.value / *c.baseline;
    }
  }
}

void require_label(const SweepResults& results, const std::string& baseline) {
  std::vector<std::string> labels;
  for (const auto& o : results.runs)
    if (std::find(labels.begin(), labels.end(), o.run.label) == labels.end()) labels.push_back(o.run.label);
  if (std::find(labels.begin(), labels.end(), baseline) != labels.end()) return;
  std::string known;
  for (const auto& l : labels) known += (known.empty() ? "" : ", ") + l;
  throw std::invalid_argument("baseline '" + baseline + "' is not a policy or allocator of this sweep (" + known + ")");
}

}  // namespace

Comparison compare_sweep(const SweepResults& results, const std::string& baseline) {
  require_label(results, baseline);
  Comparison c;
  c.baseline = baseline;
  std::map<std::string, std::size_t> trace_index;
  std::vector<std::vector<Accumulator>> per_trace;
  std::vector<std::map<std::string, std::size_t>> variant_index;
  const std::size_t n_metrics = key_metrics().size();
  for (const auto& o : results.runs) {
    auto [t, new_trace] = trace_index.emplace(o.run.trace.name, per_trace.size());
    if (new_trace) {
      c.traces.push_back({o.run.trace.name, {}});
      per_trace.emplace_back();
      variant_index.emplace_back();
    }
    auto& accs = per_trace[t->second];
    auto [v, new_variant] = variant_index[t->second].emplace(variant_key(o.run), accs.size());
    if (new_variant) {
      CompareRow row;
      row.label = o.run.label;
      row.backend = to_string(o.run.backend);
      row.mode = std::string(to_string(o.run.mode));
      row.knobs = o.run.knobs;
      row.cells.resize(n_metrics);
      accs.push_back({row, std::vector<double>(n_metrics)});
    }
    accumulate(accs[v->second], o);
    for (const auto& [k, value] : o.run.knobs)
      if (std::find(c.knob_names.begin(), c.knob_names.end(), k) == c.knob_names.end()) c.knob_names.push_back(k);
  }
  for (std::size_t t = 0; t < c.traces.size(); ++t) {
    for (auto& a : per_trace[t]) {
      for (std::size_t m = 0; m < n_metrics; ++m)
        if (const std::size_t n = a.row.cells[m].values) a.row.cells[m].value = a.sums[m] / static_cast<double>(n);
      if (a.row.failed) c.notes.push_back(fmt::format("{}: {} {}: {} run(s) failed or missing", c.traces[t].trace, a.row.label, a.row.mode, a.row.failed));
      c.traces[t].rows.push_back(std::move(a.row));
    }
    fill_deltas(c.traces[t], baseline);
    const auto& rows = c.traces[t].rows;
    if (std::none_of(rows.begin(), rows.end(), [&](const CompareRow& r) { return r.label == baseline && r.runs; }))
      c.notes.push_back(fmt::format("{}: no completed {} run to compare against", c.traces[t].trace, baseline));
  }
  return c;
}

}  // namespace allocsim::sim
