// The `allocsim stats` and `allocsim convert` commands, run as a user
// would: exit codes, JSON keys, and the file:line message on bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/common/launch.hpp"
#include "tests/traces/trace_support.hpp"

namespace allocsim::traces {
namespace {

using testing::TempDir;

using allocsim::testing::RunResult;
RunResult run(const std::string& args) { return allocsim::testing::run_allocsim(args); }

TEST(CliStats, JsonHasTheDocumentedKeys) {
  const RunResult r = run("stats --to json " + testing::sample("ht_edgecases.zst"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"allocations", "frees", "peak_live_bytes", "final_live_bytes", "temporary_allocations",
                          "threads", "cross_thread_frees", "unknown_frees", "events", "ops", "peak_event_index",
                          "final_live_blocks", "histograms", "anomalies", "trace", "heaptrack"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["allocations"], 13);
  EXPECT_EQ(j["trace"]["format"], "heaptrack");
  EXPECT_EQ(j["temporary_rule"], "heaptrack");
}

TEST(CliStats, AnomaliesCarrySamples) {
  const RunResult r = run("stats --to json " + testing::sample("ht_edgecases.raw.zst"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["unknown_frees"], 1);
  EXPECT_EQ(j["anomalies"]["unknown_free"]["count"], 1);
  EXPECT_EQ(j["anomalies"]["unknown_free"]["samples"][0]["text"], "- 563946bff900");
}

TEST(CliStats, StrictAndFreeOrderOptions) {
  EXPECT_EQ(run("stats --strict " + testing::sample("ht_edgecases.raw.zst")).exit_code, 2);
  EXPECT_EQ(run("stats --free-order fifo " + testing::sample("ht_edgecases.zst")).exit_code, 0);
  EXPECT_EQ(run("stats --free-order sideways " + testing::sample("ht_edgecases.zst")).exit_code, 2);
  EXPECT_EQ(run("stats --format nonsense " + testing::sample("ht_edgecases.zst")).exit_code, 2);
}

TEST(CliStats, BadInputExitsWithTwoAndSaysWhere) {
  TempDir dir;
  const std::string bad = dir.write("bad.txt", "v 10400 3\na 10 0\n+ 0\n+ zz\n");
  const RunResult r = run("stats " + bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad + ":4: "), std::string::npos) << r.err;
  EXPECT_EQ(run("stats /nonexistent/file.zst").exit_code, 2);
  EXPECT_EQ(run("stats " + dir.write("noise.bin", "\x01\x02\x03 nothing known")).exit_code, 2);
  EXPECT_EQ(run("stats").exit_code, 2);
}

TEST(CliStats, HelpExitsZero) {
  EXPECT_EQ(run("stats --help").exit_code, 0);
  EXPECT_EQ(run("convert --help").exit_code, 0);
}

TEST(CliConvert, ToNativeAndCsvKeepsTheFigures) {
  TempDir dir;
  const std::string native = dir.path("t.native"), csv = dir.path("t.csv");
  ASSERT_EQ(run("convert " + testing::sample("ht_mt_prodcons.raw.zst") + " -o " + native).exit_code, 0);
  ASSERT_EQ(run("convert " + native + " -o " + csv).exit_code, 0);
  const auto from_native = nlohmann::json::parse(run("stats --to json " + native).out);
  const auto from_csv = nlohmann::json::parse(run("stats --to json " + csv).out);
  EXPECT_EQ(from_native["trace"]["format"], "native");
  EXPECT_EQ(from_csv["trace"]["format"], "csv");
  for (const char* key : {"allocations", "frees", "peak_live_bytes", "final_live_bytes"}) {
    EXPECT_EQ(from_native[key], from_csv[key]) << key;
  }
  EXPECT_EQ(from_native["peak_live_bytes"], 8261710);
  EXPECT_EQ(from_native["trace"]["peak_rss_bytes"], 13443072);  // carried over from the heaptrack file
  EXPECT_EQ(run("convert " + native + " -o " + dir.path("x") + " --to ltrace").exit_code, 2);
}

}  // namespace
}  // namespace allocsim::traces
