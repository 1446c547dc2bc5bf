// `allocsim compare` on what `allocsim replay` and `allocsim sweep` really
// write (no fixtures): every figure compare prints, in JSON and CSV, is the
// figure of the runs' metrics files, found by the name docs/cli.md gives it.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/metrics/fields.hpp"
#include "sim/metrics/metric_table.hpp"
#include "tests/common/files.hpp"
#include "tests/common/launch.hpp"
#include "tests/common/paths.hpp"

namespace allocsim::testing {
namespace {

using nlohmann::json;

// The figure `name` of a metrics document, as a number (null when absent or null).
json figure(const json& doc, std::string name) {
  // peak_rss_simulated_bytes / peak_rss_measured_bytes: peak_rss_bytes of runs of that RSS source.
  for (const char* source : {"simulated", "measured"}) {
    const std::string part = std::string("_") + source;
    if (const auto at = name.find(part + "_bytes"); at != std::string::npos && name.starts_with("peak_rss")) {
      name.erase(at, part.size());
      if (doc.value(json::json_pointer("/summary/rss_source"), json("")) != source) return nullptr;
    }
  }
  for (const auto& f : sim::metric_fields()) {
    if (sim::figure_name(f.pointer) != name) continue;
    const json::json_pointer at{std::string(f.pointer)};
    if (!doc.contains(at) || doc.at(at).is_null()) return nullptr;
    const json& v = doc.at(at);
    return v.is_boolean() ? json(v.get<bool>() ? 1.0 : 0.0) : json(v.get<double>());
  }
  ADD_FAILURE() << "compare printed " << name << ", which names no figure";
  return nullptr;
}

void expect_same(const json& printed, const json& expected, const std::string& what) {
  if (expected.is_null()) {
    EXPECT_TRUE(printed.is_null()) << what << ": " << printed;
  } else {
    ASSERT_TRUE(printed.is_number()) << what << ": " << printed;
    EXPECT_DOUBLE_EQ(printed.get<double>(), expected.get<double>()) << what;
  }
}

std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells(1);
  for (char c : line) {
    if (c == ',') cells.emplace_back();
    else cells.back() += c;
  }
  return cells;
}

TEST(CompareRealRuns, TwoReplaysEveryFigureAndColumn) {
  TempDir dir;
  const std::string trace = sample_path("ht_mt_prodcons.raw.zst");
  ASSERT_EQ(run_allocsim({"replay", trace, "--policy", "adaptive", "-o", dir.path("a.json")}).exit_code, 0);
  ASSERT_EQ(run_allocsim({"replay", trace, "--policy", "fixed-queue", "--mode", "threaded", "-o", dir.path("b.json")})
                .exit_code, 0);
  const json a = json::parse(read_file(dir.path("a.json"))), b = json::parse(read_file(dir.path("b.json")));

  const RunResult r = run_allocsim({"compare", dir.path("a.json"), dir.path("b.json"), "--to", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json diff = json::parse(r.out);
  EXPECT_EQ(diff["schema"], "allocsim-run-diff/1");
  std::set<std::string> printed;
  for (const auto& m : diff["metrics"]) {
    const std::string name = m["name"];
    printed.insert(name);
    expect_same(m["a"], figure(a, name), name + " of A");
    expect_same(m["b"], figure(b, name), name + " of B");
  }
  // Every numeric figure outside the run's identity is there.
  for (const auto& f : sim::metric_fields()) {
    const json::json_pointer at{std::string(f.pointer)};
    if (f.pointer.starts_with("/run/") || f.group || !b.contains(at) || !b.at(at).is_number()) continue;
    EXPECT_TRUE(printed.count(sim::figure_name(f.pointer))) << f.pointer << " not compared";
  }
  EXPECT_TRUE(printed.count("latency_p99_ns"));  // threaded B has latency, virtual A does not

  // The CSV carries the same rows; -o by its name writes CSV.
  ASSERT_EQ(run_allocsim({"compare", dir.path("a.json"), dir.path("b.json"), "-o", dir.path("c.csv")}).exit_code, 0);
  const auto lines = lines_of(read_file(dir.path("c.csv")));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "kind,name,a,b,delta,ratio");
  std::size_t metric_rows = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto cells = csv_cells(lines[i]);
    if (cells[0] != "metric") continue;
    ++metric_rows;
    const json want = figure(a, cells[1]);
    if (want.is_null()) EXPECT_EQ(cells[2], "") << cells[1];
    else EXPECT_DOUBLE_EQ(std::stod(cells[2]), want.get<double>()) << cells[1];
  }
  EXPECT_EQ(metric_rows, printed.size());
}

TEST(CompareRealRuns, ASweepEveryKeyMetricAgainstItsRunFiles) {
  TempDir dir;
  const std::string spec = dir.write("spec.json", R"({"trace_root": ")" + source_path("traces/samples") +
      R"(", "traces": ["ht_mt_prodcons.raw.zst"], "baseline": "adaptive",
         "groups": [{"policies": ["adaptive", "fixed-queue"], "mode": ["virtual", "threaded"]}]})");
  const std::string sweep = dir.path("sweep");
  const RunResult ran = run_allocsim({"sweep", spec, "-o", sweep, "-j", "2"});
  ASSERT_EQ(ran.exit_code, 0) << ran.describe();
  EXPECT_TRUE(ran.out.empty()) << "sweep's account of itself belongs on stderr: " << ran.out;

  // The metrics file of each (label, mode): one repetition each, so the
  // compare row's mean is that file's figure.
  const json plan = json::parse(read_file(sweep + "/plan.json"));
  std::map<std::string, json> run_of;
  for (const auto& run : plan["runs"])
    run_of[run["label"].get<std::string>() + " " + run["mode"].get<std::string>()] =
        json::parse(read_file(sweep + "/runs/" + run["id"].get<std::string>() + ".json"));
  ASSERT_EQ(run_of.size(), 4u);

  const RunResult r = run_allocsim({"compare", sweep, "--to", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json c = json::parse(r.out);
  ASSERT_EQ(c["traces"].size(), 1u);
  std::size_t rows = 0;
  for (const auto& row : c["traces"][0]["rows"]) {
    ++rows;
    const std::string mode = row["mode"];
    const json& mine = run_of.at(row["label"].get<std::string>() + " " + mode);
    const json& base = run_of.at("adaptive " + mode);
    EXPECT_EQ(row["metrics"].size(), sim::key_metrics().size());
    for (const auto& [name, cell] : row["metrics"].items()) {
      const std::string where = row["label"].get<std::string>() + " " + mode + " " + name;
      expect_same(cell["value"], figure(mine, name), where);
      expect_same(cell["baseline"], figure(base, name), where + " (baseline)");
    }
  }
  EXPECT_EQ(rows, 4u);

  // summary.csv's columns are the same names with the same values.
  const auto summary = lines_of(read_file(sweep + "/summary.csv"));
  ASSERT_EQ(summary.size(), 5u);
  const auto header = csv_cells(summary[0]);
  for (std::size_t line = 1; line < summary.size(); ++line) {
    const auto cells = csv_cells(summary[line]);
    ASSERT_EQ(cells.size(), header.size()) << summary[line];
    const auto id = cells[0];
    const json run = json::parse(read_file(sweep + "/runs/" + id + ".json"));
    for (const auto& m : sim::key_metrics()) {
      const auto col = std::find(header.begin(), header.end(), std::string(m.name)) - header.begin();
      ASSERT_LT(static_cast<std::size_t>(col), header.size()) << m.name << " not in summary.csv";
      const json want = figure(run, std::string(m.name));
      if (want.is_null()) EXPECT_EQ(cells[col], "") << id << " " << m.name;
      else EXPECT_DOUBLE_EQ(std::stod(cells[col]), want.get<double>()) << id << " " << m.name;
    }
  }

  // The text table heads every metric it shows.
  const RunResult text = run_allocsim({"compare", sweep});
  ASSERT_EQ(text.exit_code, 0) << text.describe();
  for (const auto& m : sim::key_metrics())
    if (m.in_text_table) EXPECT_NE(text.out.find(std::string(m.title)), std::string::npos) << m.title;
}

}  // namespace
}  // namespace allocsim::testing
