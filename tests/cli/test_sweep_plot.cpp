// scripts/plot.py on a small real sweep and on one metrics file: it runs,
// and writes its PNGs and an index.html that shows them.
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
      "memory_mtrace_sort.txt.gz.png",   "fragmentation.png",             "peak_rss.png",
      "heatmap_peak_footprint_bytes_adaptive-virtual.png", "heatmap_fallback_rate_adaptive-virtual.png"};
  for (const auto& png : expected) {
    EXPECT_TRUE(is_png(s.path("plots/" + png))) << png;
    EXPECT_NE(index.find("<img src=\"" + png + "\""), std::string::npos) << png;
  }
  EXPECT_NE(index.find("<th>peak_rss_bytes</th>"), std::string::npos);  // the summary table

  // One metrics file on its own.
  const std::string run = dir + "/runs/" + completed_runs(dir).front() + ".json";
  ASSERT_EQ(run_plot(python, run + " -o " + s.path("one"), log), 0) << read_file(log);
  EXPECT_TRUE(fs::exists(s.path("one/index.html")));
  EXPECT_FALSE(files_ending(s.path("one"), ".png").empty());
  EXPECT_EQ(run_plot(python, s.path("nothing-here"), log), 2);
}

}  // namespace
}  // namespace allocsim::sim
