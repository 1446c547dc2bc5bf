// scripts/plot.py on small real sweeps and on one metrics file: it runs,
// and writes its PNGs and an index.html that shows them; a policy the sweep
// ran only at grid points still has its bar, at a labelled point.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/sweep/sweep_test_support.hpp"

namespace allocsim::sim {
namespace {

using namespace sweep_testing;
namespace fs = std::filesystem;

// A python3 that has matplotlib: Debian's first (a pyenv or venv python3 on PATH may lack it).
std::string python_with_matplotlib() {
  for (const char* python : {"/usr/bin/python3", "python3"})
    if (std::system((std::string(python) + " -c 'import matplotlib' >/dev/null 2>&1").c_str()) == 0) return python;
  return "";
}

int run_plot(const std::string& python, const std::string& args, const std::string& log) {
  const std::string command = python + " " + ALLOCSIM_SOURCE_DIR + "/scripts/plot.py " + args + " >" + log + " 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool is_png(const std::string& path) { return read_file(path).rfind("\x89PNG\r\n\x1a\n", 0) == 0; }

TEST(SweepPlot, WritesEveryPlotAndAnIndex) {
  const std::string python = python_with_matplotlib();
  if (python.empty()) GTEST_SKIP() << "no python3 with matplotlib (Debian: python3-matplotlib)";
  TempDir s;
  const std::string samples = std::string(ALLOCSIM_SOURCE_DIR) + "/traces/samples";
  const std::string spec = s.write("spec.json", R"({"trace_root": ")" + samples +
      R"(", "traces": ["lt_edgecases_plt.txt", "mtrace_sort.txt.gz"], "groups": [
        {"policies": ["adaptive", "fixed-queue"]},
        {"policies": ["adaptive"], "grid": {"queue_initial": [64, 1024], "reclaim_after": [4, 64]}}]})");
  const std::string dir = s.path("sweep"), log = s.path("log.txt");
  ASSERT_EQ(run_allocsim({"sweep", spec, "-o", dir}, log), 0) << read_file(log);
  ASSERT_EQ(run_plot(python, dir + " -o " + s.path("plots"), log), 0) << read_file(log);
  const std::string index = read_file(s.path("plots/index.html"));
  const std::vector<std::string> expected{
      "queues_lt_edgecases_plt.txt.png", "queues_mtrace_sort.txt.gz.png", "memory_lt_edgecases_plt.txt.png",
      "memory_mtrace_sort.txt.gz.png",   "fragmentation.png",             "peak_rss_simulated.png",
      "heatmap_peak_footprint_bytes_adaptive-virtual.png", "heatmap_fallback_rate_adaptive-virtual.png"};
  for (const auto& png : expected) {
    EXPECT_TRUE(is_png(s.path("plots/" + png))) << png;
    EXPECT_NE(index.find("<img src=\"" + png + "\""), std::string::npos) << png;
  }
  EXPECT_NE(index.find("<th>peak_rss_simulated_bytes</th>"), std::string::npos);  // the summary table
  EXPECT_FALSE(fs::exists(s.path("plots/peak_rss_measured.png")));  // no measured run: no such chart
  EXPECT_NE(index.find("fragmentation.png: adaptive; fixed-queue<"), std::string::npos) << index;

  // One metrics file on its own.
  const std::string run = dir + "/runs/" + completed_runs(dir).front() + ".json";
  ASSERT_EQ(run_plot(python, run + " -o " + s.path("one"), log), 0) << read_file(log);
  EXPECT_TRUE(fs::exists(s.path("one/index.html")));
  EXPECT_FALSE(files_ending(s.path("one"), ".png").empty());
  EXPECT_EQ(run_plot(python, s.path("nothing-here"), log), 2);
}

TEST(SweepPlot, BarsShowPoliciesSweptOnlyAtGridPoints) {
  const std::string python = python_with_matplotlib();
  if (python.empty()) GTEST_SKIP() << "no python3 with matplotlib (Debian: python3-matplotlib)";
  TempDir s;
  const std::string samples = std::string(ALLOCSIM_SOURCE_DIR) + "/traces/samples";
  // fixed-queue's own queue_initial (256) is a grid point; no-oldest's is not.
  const std::string spec = s.write("spec.json", R"({"trace_root": ")" + samples +
      R"(", "traces": ["lt_edgecases_plt.txt"], "baseline": "fixed-queue", "groups": [
        {"policies": ["adaptive"]},
        {"policies": ["fixed-queue"], "grid": {"queue_initial": [64, 256]}},
        {"policies": ["no-oldest"], "grid": {"queue_initial": [64, 1024]}}]})");
  const std::string dir = s.path("sweep"), log = s.path("log.txt");
  ASSERT_EQ(run_allocsim({"sweep", spec, "-o", dir}, log), 0) << read_file(log);
  ASSERT_EQ(run_plot(python, dir + " -o " + s.path("plots") + " --frontier", log), 0) << read_file(log);
  const std::string index = read_file(s.path("plots/index.html"));
  EXPECT_NE(index.find("fragmentation.png: adaptive; fixed-queue (its default point); no-oldest (its best of 2 points)<"),
            std::string::npos) << index;
  // The frontier: one PNG for the one workload, and a page of them.
  EXPECT_TRUE(is_png(s.path("plots/frontier_lt_edgecases_plt.txt.png")));
  EXPECT_NE(read_file(s.path("plots/frontiers.html")).find("frontier_lt_edgecases_plt.txt.png"), std::string::npos);
  const std::string points = read_file(s.path("plots/frontiers.csv"));
  EXPECT_EQ(points.rfind("workload,policy,point,runs,queue_bytes_mean,", 0), 0u) << points;
  EXPECT_EQ(std::count(points.begin(), points.end(), '\n'), 1 + 5) << points;  // adaptive and four grid points
  EXPECT_NE(points.find(",yes\n"), std::string::npos) << points;  // some point is on the frontier
}

// A threaded run's memory plot and its summary: measured RSS, never called simulated.
TEST(SweepPlot, ThreadedRunIsNotCalledSimulated) {
  const std::string python = python_with_matplotlib();
  if (python.empty()) GTEST_SKIP() << "no python3 with matplotlib (Debian: python3-matplotlib)";
  TempDir s;
  const std::string run = s.path("run.json"), log = s.path("log.txt");
  ASSERT_EQ(run_allocsim({"replay", std::string(ALLOCSIM_SOURCE_DIR) + "/traces/samples/ht_mt_prodcons.raw.zst", "--mode",
                          "threaded", "-o", run}, log), 0) << read_file(log);
  ASSERT_EQ(run_plot(python, run + " -o " + s.path("one"), log), 0) << read_file(log);
  const std::string index = read_file(s.path("one/index.html"));
  EXPECT_NE(index.find("threaded mode"), std::string::npos) << index;
  EXPECT_EQ(index.find("simulated"), std::string::npos) << index;
  EXPECT_TRUE(is_png(s.path("one/memory_ht_mt_prodcons.raw.zst.png")));
}

}  // namespace
}  // namespace allocsim::sim
