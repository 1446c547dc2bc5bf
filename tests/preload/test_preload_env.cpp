// The preloaded allocator's environment knobs: ALLOCSIM_POLICY,
// ALLOCSIM_SET and ALLOCSIM_STATS. Bad values give one line on stderr each
// and the defaults; the host program runs on unharmed.
#include <gtest/gtest.h>

#include "tests/preload/preload_support.hpp"

namespace allocsim::sim::testing {
namespace {

RunSpec echo_program() { return {{helper("mt_prodcons"), "300"}}; }

std::vector<std::string> allocsim_lines(const std::string& err) {
  std::vector<std::string> out;
  for (const auto& line : lines_of(err))
    if (line.rfind("allocsim: ", 0) == 0) out.push_back(line);
  return out;
}

RunResult run_with(std::map<std::string, std::optional<std::string>> env) {
  RunSpec spec = echo_program();
  spec.env = std::move(env);
  return run_program(preloaded(spec));
}

TEST(PreloadEnv, UnknownPolicyIsOneLineAndTheDefaults) {
  ALLOCSIM_REQUIRE_PRELOAD();
  TempDir dir;
  const RunResult r = run_with({{"ALLOCSIM_POLICY", "no-such-policy"}, {"ALLOCSIM_STATS", dir.path("s.json")}});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "consumer sum 900\n");
  const auto lines = allocsim_lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_NE(lines[0].find("unknown policy 'no-such-policy'"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("adaptive"), std::string::npos) << "lists the presets: " << lines[0];
  const auto doc = read_json(dir.path("s.json"));
  EXPECT_TRUE(doc["run"]["policy"].is_null());
  EXPECT_EQ(doc["run"]["config"]["queue_initial"], 256);
}

TEST(PreloadEnv, BadKnobsAreSkippedOneLineEach) {
  ALLOCSIM_REQUIRE_PRELOAD();
  TempDir dir;
  const RunResult r = run_with({{"ALLOCSIM_SET", "no_such_knob=1,queue_initial=lots,justtext,queue_grow_step=8"},
                                {"ALLOCSIM_STATS", dir.path("s.json")}});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "consumer sum 900\n");
  const auto lines = allocsim_lines(r.err);
  ASSERT_EQ(lines.size(), 3u) << r.err;
  EXPECT_NE(lines[0].find("unknown knob 'no_such_knob'"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("'lots'"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("'justtext' is not key=value"), std::string::npos) << lines[2];
  const auto doc = read_json(dir.path("s.json"));
  EXPECT_EQ(doc["run"]["config"]["queue_initial"], 256) << "the bad value left the default";
  EXPECT_EQ(doc["run"]["config"]["queue_grow_step"], 8) << "the good knob still applies";
}

TEST(PreloadEnv, InvalidCombinationFallsBackToTheDefaults) {
  ALLOCSIM_REQUIRE_PRELOAD();
  TempDir dir;
  const RunResult r = run_with({{"ALLOCSIM_POLICY", "fixed-queue"},
                                {"ALLOCSIM_SET", "block_bytes=1000"},  // not a power of two
                                {"ALLOCSIM_STATS", dir.path("s.json")}});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = allocsim_lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_NE(lines[0].find("block_bytes"), std::string::npos) << lines[0];
  const auto doc = read_json(dir.path("s.json"));
  EXPECT_EQ(doc["run"]["config"]["block_bytes"], 1048576);
  EXPECT_EQ(doc["run"]["config"]["queue_adaptive"], true) << "the policy was dropped too";
}

TEST(PreloadEnv, PolicyAndKnobsApplySilently) {
  ALLOCSIM_REQUIRE_PRELOAD();
  TempDir dir;
  const RunResult r = run_with({{"ALLOCSIM_POLICY", "no-oldest"},
                                {"ALLOCSIM_SET", "queue_initial=64,thread_cache_slots=32"},
                                {"ALLOCSIM_STATS", dir.path("s.json")}});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err, "");
  const auto doc = read_json(dir.path("s.json"));
  EXPECT_EQ(doc["run"]["policy"], "no-oldest");
  EXPECT_EQ(doc["run"]["config"]["oldest_first"], false);
  EXPECT_EQ(doc["run"]["config"]["queue_initial"], 64);
  EXPECT_EQ(doc["run"]["config"]["thread_cache_slots"], 32);
}

TEST(PreloadEnv, StatsHaveTheMetricsLayoutWithoutTraceIdentity) {
  ALLOCSIM_REQUIRE_PRELOAD();
  TempDir dir;
  const RunResult r = run_with({{"ALLOCSIM_STATS", dir.path("s.json")}});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto doc = read_json(dir.path("s.json"));
  for (const char* section : {"schema", "run", "summary", "counters", "classes", "host"})
    EXPECT_TRUE(doc.contains(section)) << section;
  for (const char* trace_field : {"trace", "trace_hash", "format", "trace_threads"})
    EXPECT_FALSE(doc["run"].contains(trace_field)) << trace_field;
  EXPECT_EQ(doc["run"]["backend"], "core");
  const auto& s = doc["summary"];
  // 900 messages plus the program's own: every one freed but a deliberate 1234-byte leak.
  EXPECT_GE(s["allocations"].get<std::uint64_t>(), 900u);
  EXPECT_GE(s["frees"].get<std::uint64_t>(), 900u);
  EXPECT_GT(s["peak_footprint_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_GE(s["peak_rss_bytes"].get<std::uint64_t>(), s["final_rss_bytes"].get<std::uint64_t>() / 2);
  EXPECT_FALSE(doc["classes"].empty());
  EXPECT_EQ(doc["classes"][0]["chunk_bytes"], 32);
}

TEST(PreloadEnv, UnwritableStatsPathIsOneLine) {
  ALLOCSIM_REQUIRE_PRELOAD();
  const RunResult r = run_with({{"ALLOCSIM_STATS", "/nonexistent-dir/for/stats.json"}});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "consumer sum 900\n");
  const auto lines = allocsim_lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_NE(lines[0].find("ALLOCSIM_STATS"), std::string::npos) << lines[0];
}

TEST(PreloadEnv, StatsWithoutPidPatternBelongToTheParentOnly) {
  ALLOCSIM_REQUIRE_PRELOAD();
  TempDir dir;
  RunSpec spec{{helper("preload_fork_exec"), "2"}};
  spec.env["ALLOCSIM_STATS"] = dir.path("s.json");
  const RunResult r = run_program(preloaded(spec));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto files = dir.files();
  ASSERT_EQ(files.size(), 1u);
  const auto doc = read_json(files[0]);
  const auto& program = doc["run"]["program"];
  ASSERT_FALSE(program.empty());
  // The exec'd children (same variable, no fork relation) may replace the file before the
  // parent exits; the parent exits last, so the file is the parent's.
  EXPECT_EQ(program.size(), 2u) << program.dump();
}

}  // namespace
}  // namespace allocsim::sim::testing
