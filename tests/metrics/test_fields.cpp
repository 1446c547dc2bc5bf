// The figure table: what the JSON writer writes, metrics_from_json reads back.
#include <gtest/gtest.h>

#include <set>

#include "sim/metrics/fields.hpp"
#include "sim/metrics/metric_table.hpp"
#include "sim/metrics/metrics_io.hpp"

namespace allocsim::sim::testing {
namespace {

Metrics sample_metrics() {
  Metrics m;
  m.run.trace = "t.zst";
  m.run.policy = "adaptive";
  m.run.config = {{"queue_initial", "256"}, {"reclaim_fraction", "0.25"}, {"coalesce", "true"}, {"hash", "xxh3"}};
  m.run.anomalies = {{"unknown_free", 3}};
  m.run.mode = "threaded";
  m.summary.events = 10;
  m.summary.fallback_rate = 0.125;
  m.summary.collector_work = CollectorWork{7, 8, std::nullopt, std::nullopt};
  m.summary.fragmentation.jw1_time_average = 0.5;
  m.summary.check_ok = true;
  m.latency = Latency{5, 2.5, 1, 2, 3, 4, 5};
  m.throughput = Throughput{100, 0.5, 200, 1};
  m.host.timeline_rss_bytes = {1, 2, 3};
  return m;
}

// The sections the table covers, as the writer prints them (key order aside:
// the reader takes any).
nlohmann::json figures_of(const Metrics& m) {
  nlohmann::json j = nlohmann::json::parse(metrics_json(m).dump());
  for (const char* series : {"counters", "classes", "events", "timeline"}) j.erase(series);
  return j;
}

TEST(MetricFields, ReadBackIsWhatWasWritten) {
  const Metrics m = sample_metrics();
  const nlohmann::json doc = nlohmann::json::parse(metrics_json(m).dump());
  EXPECT_EQ(figures_of(metrics_from_json(doc)), figures_of(m));
  // Absent groups stay absent.
  EXPECT_FALSE(metrics_from_json(nlohmann::json::parse(metrics_json(Metrics{}).dump())).latency);
}

TEST(MetricFields, OneNamePerFigureAndEveryCsvColumnAFigure) {
  std::set<std::string_view> pointers, columns;
  for (const auto& f : metric_fields()) {
    EXPECT_TRUE(pointers.insert(f.pointer).second) << f.pointer;
    if (!f.csv.empty()) EXPECT_TRUE(columns.insert(f.csv).second) << f.csv;
  }
  EXPECT_EQ(columns.size(), csv_columns().size());
}

// docs/cli.md: a figure's CSV column, summary.csv column and compare key are
// one name, derived from its pointer.
TEST(MetricFields, ColumnsAndKeyMetricsAreNamedByTheOneRule) {
  EXPECT_EQ(figure_name("/summary/fragmentation/jw1_time_average"), "fragmentation_jw1_time_average");
  EXPECT_EQ(figure_name("/run/allocator/name"), "allocator_name");
  EXPECT_EQ(figure_name("/host/wall_seconds"), "host_wall_seconds");
  for (const auto& f : metric_fields()) {
    if (!f.csv.empty()) {
      EXPECT_EQ(f.csv, figure_name(f.pointer)) << f.pointer;
    }
  }
  for (const auto& m : key_metrics()) {
    // A metric kept to runs of one RSS source names the source before the unit.
    std::string name = figure_name(m.pointer);
    if (!m.rss_source.empty()) name.insert(name.rfind("_bytes"), "_" + std::string(m.rss_source));
    EXPECT_EQ(m.name, name) << m.pointer;
    EXPECT_NE(find_metric_field(m.pointer), nullptr) << m.pointer;
  }
}

}  // namespace
}  // namespace allocsim::sim::testing
