// `allocsim stats --to json`, run as a user would on every ltrace and mtrace
// recording in traces/samples/, must print the figures of
// traces/samples/README.md ("ltrace / mtrace reference figures"), copied
// into tests/fixtures/text_trace_figures.json: the recording's call counts
// (the `calls` object) and the event-level cross-thread and unknown frees,
// peak and final live bytes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/common/launch.hpp"
#include "tests/traces/trace_support.hpp"

namespace allocsim::traces {
namespace {

using allocsim::testing::run_allocsim;
using allocsim::testing::RunResult;

nlohmann::json stats_json(const std::string& file) {
  const RunResult r = run_allocsim("stats --to json " + testing::sample(file));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

nlohmann::json reference(const char* section) {
  std::ifstream in(std::string(ALLOCSIM_SOURCE_DIR) + "/tests/fixtures/text_trace_figures.json");
  EXPECT_TRUE(in) << "missing tests/fixtures/text_trace_figures.json";
  return nlohmann::json::parse(in).at(section);
}

std::uint64_t figure(const nlohmann::json& want, const char* key) { return want.at(key).get<std::uint64_t>(); }

void expect_live_figures(const nlohmann::json& got, const nlohmann::json& want) {
  EXPECT_EQ(got.at("peak_live_bytes"), figure(want, "peak_live_bytes"));
  EXPECT_EQ(got.at("final_live_bytes"), figure(want, "final_live_bytes"));
  EXPECT_EQ(got.at("final_live_blocks"), figure(want, "final_live_blocks"));
}

TEST(CliStatsTextSamples, LtraceCallCountsMatchTheReadme) {
  const nlohmann::json table = reference("ltrace");
  ASSERT_EQ(table.size(), 4u);
  for (const auto& want : table) {
    const std::string file = want.at("file");
    SCOPED_TRACE(file);
    const nlohmann::json got = stats_json(file);
    ASSERT_TRUE(got.contains("calls"));
    const nlohmann::json& calls = got.at("calls");
    EXPECT_EQ(calls.at("alloc_calls"), figure(want, "alloc_calls"));
    EXPECT_EQ(calls.at("free_calls"), figure(want, "free_calls"));
    EXPECT_EQ(calls.at("null_frees"), figure(want, "null_frees"));
    EXPECT_EQ(calls.at("failed_allocs"), figure(want, "failed"));
    EXPECT_FALSE(calls.contains("realloc_pairs"));
    if (want.contains("alloc_calls_by_function")) {
      // The README lists every function called: no more, no fewer.
      EXPECT_EQ(calls.at("alloc_calls_by_function"), want.at("alloc_calls_by_function"));
    }
    std::uint64_t by_function = 0;
    for (const auto& [name, count] : calls.at("alloc_calls_by_function").items()) by_function += count.get<std::uint64_t>();
    EXPECT_EQ(by_function, figure(want, "alloc_calls"));
    EXPECT_EQ(got.at("trace").at("threads"), figure(want, "threads"));
    EXPECT_EQ(got.at("cross_thread_frees"), figure(want, "cross_thread_frees"));
    EXPECT_EQ(got.at("unknown_frees"), figure(want, "unknown_frees"));
    expect_live_figures(got, want);
  }
}

TEST(CliStatsTextSamples, MtraceRecordCountsMatchTheReadme) {
  const nlohmann::json table = reference("mtrace");
  ASSERT_EQ(table.size(), 2u);
  for (const auto& want : table) {
    const std::string file = want.at("file");
    SCOPED_TRACE(file);
    const nlohmann::json got = stats_json(file);
    ASSERT_TRUE(got.contains("calls"));
    const nlohmann::json& calls = got.at("calls");
    EXPECT_EQ(calls.at("alloc_calls"), figure(want, "allocs"));  // `+` and `>` records
    EXPECT_EQ(calls.at("free_calls"), figure(want, "frees"));    // `-` and `<` records
    EXPECT_EQ(calls.at("realloc_pairs"), figure(want, "realloc_pairs"));
    if (want.contains("failed")) {
      EXPECT_EQ(calls.at("failed_allocs"), figure(want, "failed"));
    }
    EXPECT_FALSE(calls.contains("alloc_calls_by_function"));
    expect_live_figures(got, want);
  }
}

// "Every ltrace/mtrace sample": a recording added to traces/samples/ without
// its README figures in the fixture fails here.
TEST(CliStatsTextSamples, EveryTextSampleHasReferenceFigures) {
  std::set<std::string> listed;
  for (const char* section : {"ltrace", "mtrace"})
    for (const auto& want : reference(section)) listed.insert(want.at("file").get<std::string>());
  std::set<std::string> present;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(ALLOCSIM_SOURCE_DIR) + "/traces/samples")) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("lt_") || name.starts_with("mtrace_")) present.insert(name);
  }
  EXPECT_EQ(present, listed);
}

TEST(CliStatsTextSamples, EventLevelKeysStayBesideTheCallCounts) {
  const nlohmann::json got = stats_json("lt_edgecases_x.txt");
  for (const char* key : {"events", "ops", "allocations", "frees", "allocated_bytes", "temporary_allocations"})
    EXPECT_TRUE(got.contains(key)) << key;
  // The failed malloc is a call without an event, and realloc(p, 0) is a
  // realloc call whose event is a free.
  const std::uint64_t failed = got.at("calls").at("failed_allocs");
  EXPECT_LT(got.at("allocations").get<std::uint64_t>() + failed, got.at("calls").at("alloc_calls").get<std::uint64_t>());
}

TEST(CliStatsTextSamples, TextOutputPrintsTheCallCounts) {
  const RunResult lt = run_allocsim("stats " + testing::sample("lt_edgecases_x.txt"));
  ASSERT_EQ(lt.exit_code, 0) << lt.err;
  EXPECT_NE(lt.out.find("alloc calls:           15 (malloc "), std::string::npos) << lt.out;
  EXPECT_NE(lt.out.find("free calls:            12 (3 NULL)\n"), std::string::npos) << lt.out;
  EXPECT_NE(lt.out.find("failed allocations:    1\n"), std::string::npos) << lt.out;
  EXPECT_EQ(lt.out.find("realloc pairs:"), std::string::npos) << lt.out;

  const RunResult mt = run_allocsim("stats " + testing::sample("mtrace_sort.txt.gz"));
  ASSERT_EQ(mt.exit_code, 0) << mt.err;
  EXPECT_NE(mt.out.find("alloc calls:           221\n"), std::string::npos) << mt.out;
  EXPECT_NE(mt.out.find("free calls:            207 ("), std::string::npos) << mt.out;
  EXPECT_NE(mt.out.find("realloc pairs:         1\n"), std::string::npos) << mt.out;

  const RunResult ht = run_allocsim("stats " + testing::sample("ht_edgecases.zst"));
  ASSERT_EQ(ht.exit_code, 0) << ht.err;
  EXPECT_EQ(ht.out.find("alloc calls:"), std::string::npos) << ht.out;
}

}  // namespace
}  // namespace allocsim::traces
