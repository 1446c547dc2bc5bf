#pragma once
// `allocsim compare DIR`: per trace, each variant of a sweep (label =
// policy or system allocator, mode, knob values) with its key metrics
// averaged over repetitions, and their deltas and ratios against the
// baseline (docs/reports.md says how the baseline row is chosen).
#include <optional>
#include <string>
#include <vector>

#include "sim/metrics/metric_table.hpp"
#include "sim/sweep/results.hpp"

namespace allocsim::sim {

struct CompareCell {
  std::optional<double> value, baseline, delta, ratio;  // value: the mean over the row's runs
  std::optional<double> min, max;                       // the spread of those runs
  std::size_t values = 0;                               // runs that have the figure
};

struct CompareRow {
  std::string label, backend, mode;
  std::vector<KnobSetting> knobs;
  std::size_t runs = 0, failed = 0;  // completed runs averaged; failed or missing ones
  bool is_baseline = false;          // the baseline of at least one row
  std::optional<std::size_t> baseline_row;  // index in its trace's rows; none when the trace lacks the baseline
  std::vector<CompareCell> cells;    // one per key_metrics(), in order
};

struct TraceComparison {
  std::string trace;
  std::vector<CompareRow> rows;
};

struct Comparison {
  std::string baseline;
  std::vector<std::string> knob_names;  // knobs any row sets, for columns
  std::vector<TraceComparison> traces;
  std::vector<std::string> notes;       // traces without a baseline row, failed runs
};

// Throws std::invalid_argument when `baseline` is not a label of the sweep.
Comparison compare_sweep(const SweepResults& results, const std::string& baseline);

}  // namespace allocsim::sim
