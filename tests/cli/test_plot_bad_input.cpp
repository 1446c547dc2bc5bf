// scripts/plot.py on bad input: an unknown --metric or --heatmap knob, a
// file that is not metrics, a directory that is not a sweep, and a python3
// without matplotlib each end with one clear line and a non-zero exit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/common/files.hpp"
#include "tests/common/launch.hpp"
#include "tests/common/paths.hpp"

namespace allocsim::testing {
namespace {

namespace fs = std::filesystem;

// A python3 that has matplotlib: Debian's first (a pyenv or venv python3 on PATH may lack it).
std::string python_with_matplotlib() {
  for (const char* python : {"/usr/bin/python3", "python3"})
    if (std::system((std::string(python) + " -c 'import matplotlib' >/dev/null 2>&1").c_str()) == 0) return python;
  return "";
}

RunResult plot(const std::string& python, std::vector<std::string> args,
               const std::map<std::string, std::optional<std::string>>& env = {}) {
  RunSpec spec;
  spec.argv = {python, source_path("scripts/plot.py")};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = env;
  return run_program(spec);
}

class PlotBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = python_with_matplotlib();
    if (python_.empty()) GTEST_SKIP() << "no python3 with matplotlib (Debian: python3-matplotlib)";
  }
  // A real sweep of one trace that varies queue_initial.
  std::string sweep() {
    const std::string spec = dir_.write("spec.json", R"({"trace_root": ")" + source_path("traces/samples") +
        R"(", "traces": ["lt_edgecases_plt.txt"], "groups": [{"policies": ["adaptive"], "grid": {"queue_initial": [64, 256], "reclaim_after": [4, 8]}}]})");
    const RunResult r = run_allocsim({"sweep", spec, "-o", dir_.path("sweep"), "-j", "2"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return dir_.path("sweep");
  }
  void expect_refused(const std::vector<std::string>& args, const std::string& message) {
    const RunResult r = plot(python_, args);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_NE(r.err.find(message), std::string::npos) << message << " not in: " << r.err;
    EXPECT_EQ(r.err.find("Traceback"), std::string::npos) << r.err;
  }
  TempDir dir_;
  std::string python_;
};

TEST_F(PlotBadInput, UnknownMetricOrHeatmapKnob) {
  const std::string dir = sweep();
  expect_refused({dir, "-o", dir_.path("p1"), "--metric", "nosuch_metric"},
                 "--metric nosuch_metric: not a column of " + dir + "/summary.csv");
  expect_refused({dir, "-o", dir_.path("p2"), "--heatmap", "queue_initial,nosuch_knob"},
                 "nosuch_knob is not a knob this sweep varies");
  EXPECT_FALSE(fs::exists(dir_.path("p1/index.html")));
  // The same knobs and a real column plot.
  const RunResult ok = plot(python_, {dir, "-o", dir_.path("p3"), "--heatmap", "queue_initial,reclaim_after",
                                      "--metric", "fragmentation_jw3_at_peak_footprint"});
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_TRUE(fs::exists(dir_.path("p3/heatmap_fragmentation_jw3_at_peak_footprint_adaptive-virtual.png")));
}

TEST_F(PlotBadInput, FilesThatAreNotMetricsOrSweeps) {
  const std::string stats = dir_.path("stats.json");
  ASSERT_EQ(run_allocsim({"stats", sample_path("ht_edgecases.zst"), "-o", stats}).exit_code, 0);
  expect_refused({stats, "-o", dir_.path("p")}, stats + ": not a metrics file of `allocsim replay -o`");
  expect_refused({dir_.write("broken.json", "{\"schema\": ")}, "broken.json: ");
  fs::create_directories(dir_.path("empty"));
  expect_refused({dir_.path("empty")}, dir_.path("empty") + "/plan.json");
  dir_.write("notsweep/plan.json", R"({"schema": "allocsim-metrics/2"})");
  expect_refused({dir_.path("notsweep")}, "not the plan of an `allocsim sweep` directory");
  expect_refused({stats, "--metric", "peak_rss_bytes"}, "apply to a sweep directory");
}

TEST(PlotWithoutMatplotlib, SaysWhatToInstall) {
  TempDir dir;
  // A matplotlib that cannot be imported stands in for none installed.
  dir.write("fake/matplotlib/__init__.py", "raise ImportError('No module named matplotlib')\n");
  const RunResult r = plot("/usr/bin/python3", {dir.path("any.json")}, {{"PYTHONPATH", dir.path("fake")}});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("plot.py: needs matplotlib (Debian: apt-get install python3-matplotlib)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Traceback"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace allocsim::testing
