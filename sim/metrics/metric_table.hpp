#pragma once
// The key metrics that sweep summaries and comparisons report: a choice of
// figures of sim/metrics/fields.hpp, named by their JSON pointer, with the
// column name, unit and heading reports give them. One row per metric, so a
// new column is one line here.
#include <optional>
#include <string_view>
#include <vector>

#include "sim/metrics/metrics.hpp"

namespace allocsim::sim {

enum class MetricUnit { Bytes, Ratio, Fraction, Count, PerSecond, Nanoseconds, Seconds };

struct MetricDef {
  std::string_view name;     // CSV column and JSON key
  std::string_view pointer;  // the figure (sim/metrics/fields.hpp)
  MetricUnit unit;
  bool lower_is_better;
  bool in_text_table;        // shown by `allocsim compare` on the terminal
  std::string_view title;    // text table heading
  // Only in runs whose summary.rss_source is this ("" = every run): keeps
  // simulated and measured RSS in columns of their own, never compared.
  std::string_view rss_source = {};
};

const std::vector<MetricDef>& key_metrics();
const MetricDef* find_metric(std::string_view name);

// The metric's value in a run's figures; nullopt when null (e.g.
// throughput in virtual mode, fallback rate without allocations) or when the
// run's RSS is not of the metric's source.
std::optional<double> metric_value(const Metrics& metrics, const MetricDef& def);

}  // namespace allocsim::sim
