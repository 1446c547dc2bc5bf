// `allocsim sweep` end to end on real sample traces: results, reports,
// resuming after a SIGKILL, shards and merges, failed runs, bad specs.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "sim/sweep/directory.hpp"
#include "sim/sweep/plan.hpp"
#include "tests/sweep/sweep_test_support.hpp"

namespace allocsim::sim {
namespace {

using namespace sweep_testing;

const std::string kSamples = std::string(ALLOCSIM_SOURCE_DIR) + "/traces/samples";

// A spec over small sample recordings; `groups` is the JSON list's content.
std::string spec_text(const std::string& traces, const std::string& groups) {
  return R"({"trace_root": ")" + kSamples + R"(", "traces": [)" + traces + R"(], "groups": [)" + groups + "]}";
}

const std::string kSmallTraces = R"("lt_edgecases_plt.txt", "mtrace_edgecases.txt", "ht_edgecases.raw.zst")";

std::map<std::string, std::string> result_files(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& id : completed_runs(dir)) out[id] = read_file(dir + "/runs/" + id + ".json");
  return out;
}

// A run's figures without the host section (wall time differs between runs).
nlohmann::json deterministic_part(const std::string& text) {
  auto j = nlohmann::json::parse(text);
  j.erase("host");
  return j;
}

std::size_t line_count(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(SweepRunner, RunsEveryRunWritesReportsAndResumes) {
  TempDir s;
  const std::string spec = s.write("spec.json", spec_text(kSmallTraces, R"({"policies": ["adaptive", "fixed-queue"]})"));
  const std::string dir = s.path("out"), log = s.path("log.txt");
  ASSERT_EQ(run_allocsim({"sweep", spec, "-o", dir, "-j", "2"}, log), 0) << read_file(log);
  const auto first = result_files(dir);
  EXPECT_EQ(first.size(), 6u);
  for (const auto& [id, text] : first) {
    const auto m = nlohmann::json::parse(text);
    EXPECT_EQ(m["schema"], "allocsim-metrics/2");
    EXPECT_EQ(m["run"]["mode"], "virtual");
  }
  EXPECT_EQ(line_count(read_file(dir + "/summary.csv")), 1u + 6);
  const auto report = nlohmann::json::parse(read_file(dir + "/report.json"));
  EXPECT_EQ(report["counts"]["done"], 6);
  EXPECT_EQ(report["comparison"]["traces"].size(), 3u);
  EXPECT_TRUE(files_ending(dir + "/tmp", "").empty());
  // The same command again skips everything; --resume without SPEC too.
  ASSERT_EQ(run_allocsim({"sweep", spec, "-o", dir}, log), 0);
  EXPECT_NE(read_file(log).find("6 runs: 6 done (0 now)"), std::string::npos) << read_file(log);
  ASSERT_EQ(run_allocsim({"sweep", "--resume", "-o", dir}, log), 0) << read_file(log);
  EXPECT_NE(read_file(log).find("6 runs: 6 done (0 now)"), std::string::npos) << read_file(log);
  EXPECT_EQ(result_files(dir), first);  // not rewritten
}

// One writer per directory; a lock let go while the next writer waits
// (a killed sweep's forked run dying) is taken, a held one is refused.
TEST(SweepRunner, OneSweepWritesADirectoryAtATime) {
  TempDir s;
  const SweepDir dir{s.path("d")};
  {
    auto first = std::make_unique<SweepDirLock>(dir);
    int pauses = 0;
    // The first writer lets go while the second waits for it.
    const LockRetry release{std::chrono::hours(1), [&] {
                              ++pauses;
                              first.reset();
                            }};
    EXPECT_NO_THROW(SweepDirLock(dir, release));
    EXPECT_EQ(pauses, 1);
  }
  const SweepDirLock held(dir);
  try {
    SweepDirLock second(dir, LockRetry{std::chrono::milliseconds(0), [] {}});
    FAIL() << "two writers";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another sweep is writing this directory"), std::string::npos) << e.what();
  }
}

TEST(SweepRunner, KilledSweepLosesNothingCompletedAndResumesToTheSameResults) {
  TempDir s;
  const std::string spec = s.write("spec.json", spec_text(kSmallTraces + R"(, "lt_edgecases_x.txt")",
      R"({"policies": ["adaptive", "no-oldest"], "grid": {"queue_initial": [32, 64, 128, 256]}})"));
  const std::string reference = s.path("reference"), dir = s.path("killed"), log = s.path("log.txt");
  ASSERT_EQ(run_allocsim({"sweep", spec, "-o", reference, "-j", "2"}, log), 0) << read_file(log);
  const auto expected = result_files(reference);
  ASSERT_EQ(expected.size(), 32u);

  fs::create_directories(dir + "/runs");  // watched before the sweep starts
  const pid_t sweep = start_allocsim({"sweep", spec, "-o", dir, "-j", "1"}, s.path("killed.log"));
  ASSERT_GT(sweep, 0);
  wait_for_files(dir + "/runs", [&] { return completed_runs(dir).size() >= 4; }, std::chrono::seconds(120));
  ::kill(sweep, SIGKILL);
  EXPECT_EQ(wait_exit_code(sweep), 128 + SIGKILL);
  const auto survived = result_files(dir);
  ASSERT_GE(survived.size(), 4u);
  ASSERT_LT(survived.size(), expected.size()) << "the sweep finished before it could be killed";

  // Same command again: the completed runs are kept as they are, the rest run.
  ASSERT_EQ(run_allocsim({"sweep", spec, "-o", dir, "-j", "2"}, log), 0) << read_file(log);
  const auto resumed = result_files(dir);
  for (const auto& [id, text] : survived) EXPECT_EQ(resumed.at(id), text) << id << " was redone";
  ASSERT_EQ(resumed.size(), expected.size());
  for (const auto& [id, text] : expected) {
    ASSERT_TRUE(resumed.count(id)) << id;
    EXPECT_EQ(deterministic_part(resumed.at(id)), deterministic_part(text)) << id;
  }
  EXPECT_TRUE(files_ending(dir + "/tmp", "").empty());
  EXPECT_TRUE(files_ending(dir + "/runs", ".failed.json").empty());
}

TEST(SweepRunner, SigtermStopsCleanlyWithoutRecordingFailures) {
  TempDir s;
  const std::string spec = s.write("spec.json", spec_text(kSmallTraces,
      R"({"policies": ["adaptive", "no-oldest", "fixed-queue"], "grid": {"queue_initial": [32, 64, 128, 256, 512]}})"));
  const std::string dir = s.path("out"), log = s.path("log.txt");
  fs::create_directories(dir + "/runs");  // watched before the sweep starts
  const pid_t sweep = start_allocsim({"sweep", spec, "-o", dir, "-j", "1"}, log);
  wait_for_files(dir + "/runs", [&] { return completed_runs(dir).size() >= 2; }, std::chrono::seconds(120));
  ::kill(sweep, SIGTERM);
  EXPECT_EQ(wait_exit_code(sweep), 128 + SIGTERM) << read_file(log);
  const std::size_t done = completed_runs(dir).size();
  ASSERT_LT(done, 45u) << "the sweep finished before it could be stopped";
  EXPECT_TRUE(files_ending(dir + "/runs", ".failed.json").empty());  // the run in flight is not a failure
  const auto report = nlohmann::json::parse(read_file(dir + "/report.json"));
  EXPECT_EQ(report["counts"]["done"], done);
  EXPECT_EQ(report["counts"]["missing"], 45 - done);
  ASSERT_EQ(run_allocsim({"sweep", spec, "-o", dir}, log), 0) << read_file(log);
  EXPECT_EQ(completed_runs(dir).size(), 45u);
}

TEST(SweepRunner, ShardsRunDisjointSlicesAndMergeIntoTheWholeSweep) {
  TempDir s;
  const std::string spec = s.write("spec.json", spec_text(kSmallTraces,
      R"({"policies": ["adaptive", "fixed-queue", "no-oldest"], "grid": {"reclaim_after": [4, 64]}})"));
  const std::string log = s.path("log.txt");
  std::set<std::string> all;
  std::vector<std::string> dirs;
  for (int k = 1; k <= 3; ++k) {
    dirs.push_back(s.path("shard" + std::to_string(k)));
    ASSERT_EQ(run_allocsim({"sweep", spec, "-o", dirs.back(), "--shard", std::to_string(k) + "/3"}, log), 0) << read_file(log);
    const auto ids = completed_runs(dirs.back());
    EXPECT_EQ(ids.size(), 6u) << "shard " << k;  // 18 runs in 3 equal slices
    for (const auto& id : ids) EXPECT_TRUE(all.insert(id).second) << id << " ran in two shards";
    EXPECT_EQ(line_count(read_file(dirs.back() + "/summary.csv")), 1u + 6);  // a shard reports on its slice
  }
  EXPECT_EQ(all.size(), 18u);
  std::vector<std::string> merge{"sweep", "--merge"};
  merge.insert(merge.end(), dirs.begin(), dirs.end());
  merge.insert(merge.end(), {"-o", s.path("merged")});
  ASSERT_EQ(run_allocsim(merge, log), 0) << read_file(log);
  const auto merged = completed_runs(s.path("merged"));
  EXPECT_EQ(std::set<std::string>(merged.begin(), merged.end()), all);
  EXPECT_EQ(line_count(read_file(s.path("merged/summary.csv"))), 1u + 18);
  const auto report = nlohmann::json::parse(read_file(s.path("merged/report.json")));
  EXPECT_EQ(report["counts"]["done"], 18);
  EXPECT_EQ(report["counts"]["missing"], 0);
  // The unsharded sweep plans exactly these runs.
  ASSERT_EQ(run_allocsim({"sweep", spec, "-o", s.path("whole"), "--dry-run"}, log), 0);
  for (const auto& id : all) EXPECT_NE(read_file(log).find(id), std::string::npos) << id;
  EXPECT_EQ(run_allocsim({"sweep", spec, "-o", s.path("x"), "--shard", "4/3"}, log), 2);
}

TEST(SweepRunner, FailedRunsAreRecordedAndTheSweepGoesOn) {
  TempDir s;
  // Its head reads (a sweep checks that before it starts); its fault lies
  // past the first batch of events, so only its run finds it.
  std::string events;
  for (int i = 0; i < 5000; ++i) events += "0,malloc," + std::to_string(i) + ",16\n";
  s.write("traces/bad.csv", events + "this is not an event\n");
  std::filesystem::copy_file(kSamples + "/mtrace_edgecases.txt", s.path("traces/good.txt"));
  const std::string spec = s.write("spec.json",
      R"({"trace_root": "traces", "traces": ["bad.csv", "good.txt"], "groups": [{"policies": ["adaptive"]}]})");
  const std::string dir = s.path("out"), log = s.path("log.txt");
  EXPECT_EQ(run_allocsim({"sweep", spec, "-o", dir}, log), 1) << read_file(log);
  EXPECT_EQ(completed_runs(dir).size(), 1u);
  const auto failed = files_ending(dir + "/runs", ".failed.json");
  ASSERT_EQ(failed.size(), 1u);
  const auto record = nlohmann::json::parse(read_file(dir + "/runs/" + failed[0]));
  EXPECT_EQ(record["exit_code"], 2);
  EXPECT_EQ(record["trace"], "bad.csv");
  EXPECT_NE(record["error"].get<std::string>().find("bad.csv"), std::string::npos) << record.dump(2);
  const std::string summary = read_file(dir + "/summary.csv");
  EXPECT_NE(summary.find(",failed,bad.csv,adaptive,"), std::string::npos) << summary;
  EXPECT_NE(summary.find(",done,good.txt,adaptive,"), std::string::npos) << summary;
}

TEST(SweepRunner, BadSpecsStopBeforeAnyRun) {
  TempDir s;
  const std::string log = s.path("log.txt");
  const std::string spec = s.write("spec.json", spec_text(kSmallTraces, R"({"policies": ["adaptive"], "grid": {"queue_size": [1, 2]}})"));
  EXPECT_EQ(run_allocsim({"sweep", spec, "-o", s.path("out")}, log), 2);
  EXPECT_NE(read_file(log).find(spec + ": $.groups[0].grid.queue_size: unknown knob"), std::string::npos) << read_file(log);
  EXPECT_FALSE(std::filesystem::exists(s.path("out")));
  const std::string missing = s.write("missing.json", spec_text(R"("no_such_trace.txt")", R"({"policies": ["adaptive"]})"));
  EXPECT_EQ(run_allocsim({"sweep", missing, "-o", s.path("out")}, log), 2);
  EXPECT_NE(read_file(log).find("$.traces[0]: trace '"), std::string::npos) << read_file(log);
  EXPECT_EQ(run_allocsim({"sweep", s.path("absent.json"), "-o", s.path("out")}, log), 2);
  EXPECT_EQ(run_allocsim({"sweep", "-o", s.path("out")}, log), 2);  // no SPEC, no --resume
  EXPECT_FALSE(std::filesystem::exists(s.path("out")));
}

TEST(SweepRunner, SystemAllocatorsRunUnderTheirOwnPreload) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer runtime must come first in the process; LD_PRELOAD'd allocators cannot";
#endif
  TempDir s;
  const std::string spec = s.write("spec.json", spec_text(R"("lt_edgecases_plt.txt")",
      R"({"backend": "system", "mode": "threaded",
          "allocators": {"glibc": "", "jemalloc": "libjemalloc.so.2", "absent": "libabsent-allocator.so.1"}})"));
  const std::string dir = s.path("out"), log = s.path("log.txt");
  ASSERT_EQ(run_allocsim({"sweep", spec, "-o", dir}, log), 0) << read_file(log);
  EXPECT_NE(read_file(log).find("allocator 'absent' skipped"), std::string::npos) << read_file(log);
  std::set<std::string> names;
  for (const auto& [id, text] : result_files(dir)) names.insert(nlohmann::json::parse(text)["run"]["allocator"]["name"]);
  std::set<std::string> expected{"glibc"};
  if (std::filesystem::exists("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2") || std::filesystem::exists("/usr/lib/libjemalloc.so.2"))
    expected.insert("jemalloc");
  EXPECT_EQ(names, expected);
}

}  // namespace
}  // namespace allocsim::sim
