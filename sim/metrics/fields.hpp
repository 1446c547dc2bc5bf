#pragma once
// Every figure of a metrics document, once: where it sits in the JSON, its
// CSV column, and how to read it from and into Metrics. The JSON writer,
// the CSV writer, metrics_from_json() and compare's columns all go through
// this table, so a figure has one name (its JSON pointer) and one place to
// add it. The order is the JSON's within each section, and the CSV's.
//
// Not in the table: the counter groups, the class rows, the event log and
// the timeline (series and maps, written by metrics_json.cpp and not read
// back).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sim/metrics/metrics.hpp"

namespace allocsim::sim {

struct MetricField {
  std::string_view pointer;  // "/summary/fragmentation/jw1_time_average"
  std::string_view csv;      // its CSV column; "" when the CSV leaves it out
  // A group is an optional object ("/latency", "/summary/collector_work"):
  // null when the run lacks it, and then its members are not written.
  bool group = false;
  nlohmann::ordered_json (*get)(const Metrics&);
  void (*set)(Metrics&, const nlohmann::json&);
};

// A figure's one name, used as its CSV column (replay's CSV, summary.csv),
// its key in compare's JSON and its row in compare's tables: the pointer
// without a leading "run" or "summary" section, the rest joined by '_'
// ("/summary/fragmentation/jw1_time_average" -> "fragmentation_jw1_time_average",
// "/host/wall_seconds" -> "host_wall_seconds"). docs/cli.md states the rule.
std::string figure_name(std::string_view pointer);

// Sections first seen in this order: run, summary, throughput, latency, host.
const std::vector<MetricField>& metric_fields();
// nullptr when no field sits at `pointer`.
const MetricField* find_metric_field(std::string_view pointer);

// The figures of a metrics document (every field of the table that the
// document has; the rest keep their defaults). Throws std::invalid_argument
// naming the pointer of a figure of the wrong type.
Metrics metrics_from_json(const nlohmann::json& doc);

}  // namespace allocsim::sim
