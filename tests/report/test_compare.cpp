// Comparisons on fixed inputs: a sweep directory whose metrics files are
// written here with known figures, and two fixture runs; the deltas and
// ratios must come out exactly as computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>

#include "sim/common/atomic_file.hpp"
#include "sim/report/compare_print.hpp"
#include "sim/report/compare_runs.hpp"
#include "sim/report/compare_table.hpp"
#include "sim/report/sweep_report.hpp"
#include "sim/sweep/runner.hpp"
#include "tests/sweep/sweep_test_support.hpp"

namespace allocsim::sim {
namespace {

using namespace sweep_testing;


// Known figures per label; traces scale them, repetitions add a little.
double base_rss(const std::string& label) { return label == "adaptive" ? 1000000 : label == "fixed-queue" ? 1500000 : 800000; }
double trace_factor(const std::string& trace) { return trace == "a.trace" ? 1 : 2; }

nlohmann::json fixture_metrics(const PlannedRun& r) {
  const double rss = base_rss(r.label) * trace_factor(r.trace.name) + 1000.0 * r.repetition;
  nlohmann::json m = {
      {"schema", "allocsim-metrics/2"},
      {"run", {{"trace", r.trace.path}, {"policy", r.label}, {"mode", std::string(to_string(r.mode))}, {"backend", "core"}, {"seed", r.seed}}},
      {"summary",
       {{"peak_live_bytes", 500000},
        {"peak_footprint_bytes", rss},
        {"peak_rss_bytes", rss},
        {"rss_source", r.mode == ReplayMode::Threaded ? "measured" : "simulated"},
        {"fallback_rate", r.label == "adaptive" ? 0.01 : 0.03},
        {"peak_queue_bytes", nullptr},
        {"collector_work", {{"units", 100 * (r.repetition + 1)}, {"hash_ops", 0}, {"busy_ns", nullptr}, {"utilization", nullptr}}},
        {"fragmentation", {{"jw1_time_average", 0.1}, {"jw2_at_peak_live", 0.1}, {"jw3_at_peak_footprint", r.label == "adaptive" ? 0.2 : 0.5}, {"jw4_peak_over_peak", r.label == "adaptive" ? 0.9 : 1.2}}}}},
      {"throughput", nullptr},
      {"latency", nullptr},
      {"host", {{"wall_seconds", 1.0}}}};
  return m;
}

class CompareSweepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_.write("traces/a.trace", "a");
    scratch_.write("traces/b.trace", "b");
    const std::string spec_path = scratch_.write("spec.json", R"({
      "trace_root": "traces", "traces": ["a.trace", "b.trace"], "baseline": "adaptive", "repetitions": 2,
      "groups": [{"policies": ["adaptive", "fixed-queue", "no-oldest"], "set": {"cache_batch": 4}}]})");
    const SweepSpec spec = load_sweep_spec(spec_path);
    const SweepPlan plan = expand_sweep(spec);
    dir_ = SweepDir{scratch_.path("sweep")};
    SweepDirLock lock(dir_);
    write_plan(dir_, make_plan_file(spec, plan, 1, 1));
    for (const auto& r : plan.runs) {
      // no-oldest on b.trace: repetition 0 failed, repetition 1 never ran.
      if (r.label == "no-oldest" && r.trace.name == "b.trace") {
        if (r.repetition == 0) write_failure_record(dir_, r, RunFailure{3, 0, 0.1, "replay: out of ideas\n", {"allocsim"}});
        continue;
      }
      write_file_atomic(dir_.result(r.id), fixture_metrics(r).dump());
    }
  }
  TempDir scratch_;
  SweepDir dir_;
};

const CompareRow& row_of(const TraceComparison& t, const std::string& label) {
  for (const auto& r : t.rows)
    if (r.label == label) return r;
  throw std::runtime_error("no row " + label);
}

std::size_t metric_index(const std::string& name) {
  const auto& m = key_metrics();
  for (std::size_t i = 0; i < m.size(); ++i)
    if (m[i].name == name) return i;
  throw std::runtime_error("no metric " + name);
}

TEST_F(CompareSweepTest, AveragesRepetitionsAndMeasuresAgainstTheBaseline) {
  const SweepResults results = load_sweep_results(dir_.root);
  EXPECT_EQ(results.count(RunStatus::Done), 10u);
  EXPECT_EQ(results.count(RunStatus::Failed), 1u);
  EXPECT_EQ(results.count(RunStatus::Missing), 1u);
  const Comparison c = compare_sweep(results, "adaptive");
  ASSERT_EQ(c.traces.size(), 2u);
  EXPECT_EQ(c.traces[0].trace, "a.trace");
  const std::size_t rss = metric_index("peak_rss_simulated_bytes"), frag = metric_index("fragmentation_jw3_at_peak_footprint"),
                    work = metric_index("collector_work_units"), fallback = metric_index("fallback_rate");
  const CompareRow& base = row_of(c.traces[0], "adaptive");
  EXPECT_TRUE(base.is_baseline);
  EXPECT_EQ(base.runs, 2u);
  EXPECT_DOUBLE_EQ(*base.cells[rss].value, 1000500);  // (1000000 + 1001000) / 2
  EXPECT_DOUBLE_EQ(*base.cells[rss].min, 1000000);     // the spread of the repetitions
  EXPECT_DOUBLE_EQ(*base.cells[rss].max, 1001000);
  EXPECT_EQ(base.cells[rss].values, 2u);
  EXPECT_FALSE(base.cells[metric_index("peak_rss_measured_bytes")].value.has_value());  // virtual runs: simulated only
  EXPECT_DOUBLE_EQ(*base.cells[rss].delta, 0);
  const CompareRow& fixed = row_of(c.traces[0], "fixed-queue");
  EXPECT_FALSE(fixed.is_baseline);
  EXPECT_DOUBLE_EQ(*fixed.cells[rss].value, 1500500);
  EXPECT_DOUBLE_EQ(*fixed.cells[rss].baseline, 1000500);
  EXPECT_DOUBLE_EQ(*fixed.cells[rss].delta, 500000);
  EXPECT_DOUBLE_EQ(*fixed.cells[rss].ratio, 1500500.0 / 1000500.0);
  EXPECT_DOUBLE_EQ(*fixed.cells[frag].delta, 0.3);
  EXPECT_DOUBLE_EQ(*fixed.cells[fallback].ratio, 3);
  EXPECT_DOUBLE_EQ(*fixed.cells[work].value, 150);  // (100 + 200) / 2
  EXPECT_DOUBLE_EQ(*fixed.cells[work].ratio, 1);
  EXPECT_FALSE(fixed.cells[metric_index("peak_queue_bytes")].value.has_value());  // null in every run
  // b.trace doubles every size; no-oldest there has no completed run.
  const CompareRow& fixed_b = row_of(c.traces[1], "fixed-queue");
  EXPECT_DOUBLE_EQ(*fixed_b.cells[rss].delta, 1000000);
  const CompareRow& failed = row_of(c.traces[1], "no-oldest");
  EXPECT_EQ(failed.runs, 0u);
  EXPECT_EQ(failed.failed, 2u);
  EXPECT_FALSE(failed.cells[rss].value.has_value());
  EXPECT_EQ(c.knob_names, std::vector<std::string>{"cache_batch"});
}

TEST_F(CompareSweepTest, AnotherBaselineTurnsTheRatiosAround) {
  const Comparison c = compare_sweep(load_sweep_results(dir_.root), "fixed-queue");
  const std::size_t rss = metric_index("peak_rss_simulated_bytes");
  const CompareRow& adaptive = row_of(c.traces[0], "adaptive");
  EXPECT_DOUBLE_EQ(*adaptive.cells[rss].ratio, 1000500.0 / 1500500.0);
  EXPECT_TRUE(row_of(c.traces[0], "fixed-queue").is_baseline);
  EXPECT_THROW(compare_sweep(load_sweep_results(dir_.root), "jemalloc"), std::invalid_argument);
}

TEST_F(CompareSweepTest, PrintersCarryTheSameFigures) {
  const Comparison c = compare_sweep(load_sweep_results(dir_.root), "adaptive");
  std::ostringstream csv, text;
  print_comparison_csv(c, csv);
  print_comparison_text(c, text);
  const std::string csv_text = csv.str();
  EXPECT_EQ(csv_text.rfind("trace,label,backend,mode,cache_batch,runs,failed,baseline,is_baseline,peak_live_bytes,", 0), 0u) << csv_text;
  EXPECT_NE(csv_text.find("a.trace,fixed-queue,core,virtual,4,2,0,adaptive virtual cache_batch=4,false,"), std::string::npos) << csv_text;
  EXPECT_NE(csv_text.find(",1500500,1500000,1501000,1000500,500000,"), std::string::npos) << csv_text;  // mean, min, max, baseline, delta
  EXPECT_EQ(std::count(csv_text.begin(), csv_text.end(), '\n'), 1 + 6);
  EXPECT_NE(text.str().find("+50.0%"), std::string::npos) << text.str();  // fixed-queue's peak RSS on a.trace
  EXPECT_NE(text.str().find("+30.00pp"), std::string::npos) << text.str();  // its fragmentation (measure 4)
  EXPECT_NE(text.str().find("peak footprint/peak live"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("[977 KiB..978 KiB]"), std::string::npos) << text.str();  // the spread beside the mean
  const std::size_t at = text.str().find("policy");
  const std::string header = text.str().substr(at, text.str().find('\n', at) - at);
  EXPECT_NE(header.find("sim RSS"), std::string::npos) << header;
  EXPECT_EQ(header.find("measured RSS"), std::string::npos) << header;  // no measured run: no column
  EXPECT_EQ(text.str().find("[1.00%..1.00%]"), std::string::npos) << text.str();  // equal runs: no spread
  const auto j = comparison_json(c);
  const auto& rss = j["traces"][0]["rows"][1]["metrics"]["peak_rss_simulated_bytes"];
  EXPECT_EQ(rss["delta"], 500000.0);
  EXPECT_EQ(rss["min"], 1500000.0);
  EXPECT_EQ(rss["max"], 1501000.0);
}

TEST_F(CompareSweepTest, ReportsListEveryRunWithItsStatus) {
  write_sweep_reports(load_sweep_results(dir_.root));
  const std::string csv = read_file(dir_.summary_csv());
  EXPECT_EQ(csv.rfind("id,status,trace,label,backend,policy,allocator,mode,repetition,seed,knobs,cache_batch,peak_live_bytes,", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 12);
  EXPECT_NE(csv.find(",failed,b.trace,no-oldest,"), std::string::npos);
  EXPECT_NE(csv.find("replay: out of ideas"), std::string::npos);
  EXPECT_NE(csv.find(",missing,b.trace,no-oldest,"), std::string::npos);
  const auto report = nlohmann::json::parse(read_file(dir_.report_json()));
  EXPECT_EQ(report["counts"]["done"], 10);
  EXPECT_EQ(report["counts"]["failed"], 1);
  EXPECT_EQ(report["counts"]["missing"], 1);
  EXPECT_EQ(report["comparison"]["baseline"], "adaptive");
}

TEST_F(CompareSweepTest, CommandLinePrintsCsvAndRejectsBadFormats) {
  const std::string log = scratch_.path("log.txt");
  ASSERT_EQ(run_allocsim({"compare", dir_.root, "-o", scratch_.path("c.csv")}, log), 0) << read_file(log);
  std::ostringstream expected;
  print_comparison_csv(compare_sweep(load_sweep_results(dir_.root), "adaptive"), expected);
  EXPECT_EQ(read_file(scratch_.path("c.csv")), expected.str());
  EXPECT_EQ(run_allocsim({"compare", dir_.root, "--to", "xml"}, log), 2);
  EXPECT_EQ(run_allocsim({"compare", dir_.root, "--baseline", "nosuch"}, log), 2);
  EXPECT_NE(read_file(log).find("baseline 'nosuch'"), std::string::npos);
  EXPECT_EQ(run_allocsim({"compare", scratch_.path("traces")}, log), 2);  // a directory without a plan
}

TEST(CompareBaselineChoice, KnobVariantsOfTheBaselineCompareWithItsOwnSettings) {
  TempDir scratch;
  scratch.write("traces/a.trace", "a");
  const SweepSpec spec = load_sweep_spec(scratch.write("spec.json", R"({"trace_root": "traces", "traces": ["a.trace"],
      "groups": [{"policies": ["adaptive", "fixed-queue"], "mode": ["virtual", "threaded"]},
                 {"policies": ["adaptive", "fixed-queue"], "grid": {"queue_initial": [64]}}]})"));
  const SweepPlan plan = expand_sweep(spec);
  const SweepDir dir{scratch.path("sweep")};
  SweepDirLock lock(dir);
  write_plan(dir, make_plan_file(spec, plan, 1, 1));
  for (const auto& r : plan.runs) {
    PlannedRun tagged = r;  // peak RSS encodes the run: mode and knob setting
    const double rss = (r.mode == ReplayMode::Threaded ? 2000 : 1000) + (r.knobs.empty() ? 0 : 64) + (r.label == "adaptive" ? 0 : 1);
    nlohmann::json m = fixture_metrics(tagged);
    m["summary"]["peak_rss_bytes"] = rss;
    write_file_atomic(dir.result(r.id), m.dump());
  }
  const Comparison c = compare_sweep(load_sweep_results(dir.root), "adaptive");
  const std::size_t simulated = metric_index("peak_rss_simulated_bytes"), measured = metric_index("peak_rss_measured_bytes");
  std::map<std::string, double> baseline_of;
  for (const auto& row : c.traces[0].rows) {
    const bool threaded = row.mode == "threaded";
    // Simulated and measured RSS stay in their own columns.
    EXPECT_FALSE(row.cells[threaded ? simulated : measured].value.has_value()) << row.label << " " << row.mode;
    baseline_of[row.label + " " + row.mode + (row.knobs.empty() ? "" : " q64")] = *row.cells[threaded ? measured : simulated].baseline;
  }
  EXPECT_EQ(baseline_of["adaptive virtual"], 1000);
  EXPECT_EQ(baseline_of["adaptive threaded"], 2000);          // same mode
  EXPECT_EQ(baseline_of["fixed-queue threaded"], 2000);
  EXPECT_EQ(baseline_of["fixed-queue virtual"], 1000);
  EXPECT_EQ(baseline_of["adaptive virtual q64"], 1000);       // the baseline policy at its own settings
  EXPECT_EQ(baseline_of["fixed-queue virtual q64"], 1064);    // the same knob setting
}

std::string fixture(const std::string& name) { return std::string(ALLOCSIM_SOURCE_DIR) + "/tests/fixtures/sweep/" + name; }

TEST(CompareRuns, ListsDifferingConfigAndKnownDeltas) {
  const auto a = nlohmann::json::parse(read_file(fixture("run_a.json")));
  const auto b = nlohmann::json::parse(read_file(fixture("run_b.json")));
  const RunDiff d = diff_runs(a, b, "a", "b");
  std::vector<std::string> keys;
  for (const auto& c : d.config) keys.push_back(c.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"run.config.queue_initial", "run.policy", "run.replay.touch"}));
  EXPECT_EQ(d.config[0].a, "256");
  EXPECT_EQ(d.config[0].b, "64");
  auto metric = [&](const std::string& name) {
    for (const auto& m : d.metrics)
      if (m.name == name) return m;
    throw std::runtime_error("no metric " + name);
  };
  EXPECT_DOUBLE_EQ(*metric("peak_rss_bytes").delta, 2097152);
  EXPECT_DOUBLE_EQ(*metric("peak_rss_bytes").ratio, 1.2);
  EXPECT_DOUBLE_EQ(*metric("collector_work_units").delta, -50000);
  EXPECT_DOUBLE_EQ(*metric("fallback_rate").ratio, 2);
  EXPECT_DOUBLE_EQ(*metric("host_wall_seconds").ratio, 0.5);
  EXPECT_DOUBLE_EQ(*metric("events").delta, 0);
  for (const auto& m : d.metrics) EXPECT_NE(m.name, "host_timeline_rss_bytes");  // a series, not a figure
}

// A simulated RSS and a measured one are different things: no change between them.
TEST(CompareRuns, NoDeltaBetweenSimulatedAndMeasuredRss) {
  const auto a = nlohmann::json::parse(read_file(fixture("run_a.json")));
  auto b = nlohmann::json::parse(read_file(fixture("run_b.json")));
  ASSERT_EQ(a["summary"]["rss_source"], "simulated");
  b["summary"]["rss_source"] = "measured";
  const RunDiff d = diff_runs(a, b, "a", "b");
  for (const auto& m : d.metrics)
    if (m.name == "peak_rss_bytes" || m.name == "final_rss_bytes") {
      EXPECT_TRUE(m.a && m.b) << m.name;
      EXPECT_FALSE(m.delta || m.ratio) << m.name;
    } else if (m.name == "peak_footprint_bytes") {
      EXPECT_TRUE(m.delta.has_value());
    }
}

TEST(CompareRuns, CommandLineFormats) {
  TempDir scratch;
  const std::string log = scratch.path("log.txt");
  ASSERT_EQ(run_allocsim({"compare", fixture("run_a.json"), fixture("run_b.json")}, log), 0) << read_file(log);
  const std::string text = read_file(log);
  EXPECT_NE(text.find("run.config.queue_initial"), std::string::npos) << text;
  EXPECT_NE(text.find("+20.0%"), std::string::npos) << text;
  ASSERT_EQ(run_allocsim({"compare", fixture("run_a.json"), fixture("run_b.json"), "--to", "json"}, log), 0);
  const auto j = nlohmann::json::parse(read_file(log));
  EXPECT_EQ(j["config_differences"].size(), 3u);
  ASSERT_EQ(run_allocsim({"compare", fixture("run_a.json"), fixture("run_b.json"), "--to", "csv"}, log), 0);
  EXPECT_NE(read_file(log).find("metric,peak_rss_bytes,10485760,12582912,2097152,1.2\n"), std::string::npos);
  EXPECT_EQ(run_allocsim({"compare", fixture("run_a.json"), scratch.path("absent.json")}, log), 2);
}

}  // namespace
}  // namespace allocsim::sim
