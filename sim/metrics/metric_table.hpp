#pragma once
// The key metrics that sweep summaries and comparisons report, each read
// from a replay's metrics JSON (docs/metrics.md) by a JSON pointer. One row
// per metric, so a new column is one line here.
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

namespace allocsim::sim {

enum class MetricUnit { Bytes, Ratio, Fraction, Count, PerSecond, Nanoseconds, Seconds };

struct MetricDef {
  std::string_view name;     // CSV column and JSON key
  std::string_view pointer;  // where it is in a metrics file
  MetricUnit unit;
  bool lower_is_better;
  bool in_text_table;        // shown by `allocsim compare` on the terminal
  std::string_view title;    // text table heading
};

const std::vector<MetricDef>& key_metrics();
const MetricDef* find_metric(std::string_view name);

// The metric's value in a metrics document; nullopt when absent or null
// (e.g. throughput in virtual mode, fallback rate without allocations).
std::optional<double> metric_value(const nlohmann::json& metrics, const MetricDef& def);

}  // namespace allocsim::sim
