// `allocsim validate` end to end on a real multi-threaded program:
// recorded under heaptrack, replayed in virtual mode, run under the
// LD_PRELOAD core; and a program that fails is bad input.
#include <gtest/gtest.h>

#include "tests/preload/preload_support.hpp"

namespace allocsim::sim::testing {
namespace {

RunResult validate(const std::vector<std::string>& args) {
  RunSpec spec;
  spec.argv = {ALLOCSIM_BINARY, "validate"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  return run_program(spec);
}

bool have_heaptrack() {
  RunSpec spec;
  spec.argv = {"sh", "-c", "command -v heaptrack"};
  return !run_program(spec).out.empty();
}

TEST(Validate, PredictedBesideMeasuredForEveryFigure) {
  ALLOCSIM_REQUIRE_PRELOAD();
  if (!have_heaptrack()) GTEST_SKIP() << "heaptrack is not installed (scripts/setup.sh installs it)";
  TempDir dir;
  const std::string report = dir.path("report.json");
  const RunResult r = validate({"--runs", "2", "--preload", kPreloadLibrary, "--work-dir", dir.path("work"), "-o", report,
                                "--", helper("mt_prodcons"), "300"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const nlohmann::json j = read_json(report);
  EXPECT_EQ(j["schema"], "allocsim-validation/1");
  EXPECT_EQ(j["run_seconds"].size(), 2u);
  EXPECT_GT(j["untraced_wall_ns"].get<double>(), 0) << "the program also ran untraced";
  for (const char* name : {"fallback_rate", "peak_footprint_bytes", "heap_peak_rss_bytes", "queue_grows",
                           "queue_reclaims", "collector_utilization"}) {
    SCOPED_TRACE(name);
    const auto& f = j["figures"][name];
    ASSERT_TRUE(f["predicted"].is_number());
    ASSERT_EQ(f["measured"].size(), 2u) << "one per run";
    EXPECT_TRUE(f["error"].is_number() || f["measured_median"] == 0);
    EXPECT_NE(r.err.find(name), std::string::npos) << "the table shows it (on stderr: the report went to -o)";
  }
  // The program's own allocations: at least one block mapped on each side.
  EXPECT_GT(j["figures"]["peak_footprint_bytes"]["predicted"].get<double>(), 0);
  EXPECT_GT(j["figures"]["peak_footprint_bytes"]["measured_median"].get<double>(), 0);
  EXPECT_TRUE(std::filesystem::exists(dir.path("work/recording.native"))) << "--work-dir keeps the recording";
}

TEST(Validate, AProgramThatFailsIsBadInput) {
  ALLOCSIM_REQUIRE_PRELOAD();
  if (!have_heaptrack()) GTEST_SKIP() << "heaptrack is not installed (scripts/setup.sh installs it)";
  TempDir dir;
  const RunResult r = validate({"--preload", kPreloadLibrary, "--work-dir", dir.path("work"), "--", "false"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("exited with status 1"), std::string::npos) << r.err;
}

TEST(Validate, ABadOutputPathIsFoundBeforeTheWork) {
  TempDir dir;
  const RunResult r = validate({"-o", dir.path("missing/x.json"), "--", "true"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find(dir.path("missing/x.json") + ": cannot write"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path("missing")));
}

}  // namespace
}  // namespace allocsim::sim::testing
