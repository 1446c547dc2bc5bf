// Bad input to `allocsim sweep` and to the INI files of policies and
// configs: exit code 2 and a message naming the fault, before any run
// starts (docs/cli.md).
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/common/files.hpp"
#include "tests/common/launch.hpp"
#include "tests/common/paths.hpp"

namespace allocsim::testing {
namespace {

namespace fs = std::filesystem;

bool says(const RunResult& r, const std::string& text) { return r.err.find(text) != std::string::npos; }

// A spec of one trace (a copy of a real sample) and the given policies.
std::string spec_with(TempDir& dir, const std::string& policies, const std::string& trace = "t.raw.zst") {
  if (!fs::exists(dir.path(trace))) fs::copy_file(sample_path("ht_edgecases.raw.zst"), dir.path(trace));
  return dir.write("spec.json", R"({"trace_root": ".", "traces": [")" + trace +
                                    R"("], "groups": [{"policies": [)" + policies + "]}]}");
}

void expect_refused(const RunResult& r, const std::string& message) {
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(says(r, message)) << message << " not in: " << r.err;
}

TEST(CliSweepBadInput, JobsMustBePositive) {
  TempDir dir;
  const std::string spec = spec_with(dir, R"("adaptive")");
  for (const char* jobs : {"-1", "0"}) {
    const RunResult r = run_allocsim({"sweep", spec, "-o", dir.path("out"), "-j", jobs});
    EXPECT_EQ(r.exit_code, 2) << jobs << " " << r.describe();
    EXPECT_TRUE(says(r, "-j")) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir.path("out/runs")));
}

TEST(CliSweepBadInput, NoArgumentsAsksForTheSpecFirst) {
  expect_refused(run_allocsim(std::vector<std::string>{"sweep"}), "missing SPEC");
  expect_refused(run_allocsim({"sweep", "-o", "/tmp/never"}), "missing SPEC");
}

TEST(CliSweepBadInput, ADuplicateIniKeyNamesBothLines) {
  TempDir dir;
  const std::string ini = dir.write("dup.ini", "# a policy\nqueue_initial = 64\nreclaim_after = 8\nqueue_initial = 128\n");
  const std::string message = ini + ":4: knob 'queue_initial' is already set on line 2";
  expect_refused(run_allocsim({"replay", sample_path("ht_edgecases.raw.zst"), "--policy", ini}), message);
  expect_refused(run_allocsim({"replay", sample_path("ht_edgecases.raw.zst"), "--config", ini}), message);
  expect_refused(run_allocsim({"sweep", spec_with(dir, R"("dup.ini")"), "-o", dir.path("out")}), message);
}

TEST(CliSweepBadInput, ABadIniValueKeepsItsLineNumber) {
  TempDir dir;
  // Refused when read (not a number), and refused only by the range check
  // after the whole file is read: both name the line.
  const std::string unreadable = dir.write("a.ini", "queue_initial = 64\nqueue_max = lots\n");
  const std::string out_of_range = dir.write("b.ini", "queue_initial = 64\n\nthread_cache_slots = 100\n");
  const std::string trace = sample_path("ht_edgecases.raw.zst");
  expect_refused(run_allocsim({"replay", trace, "--policy", unreadable}), unreadable + ":2: bad value 'lots' for knob 'queue_max'");
  expect_refused(run_allocsim({"replay", trace, "--policy", out_of_range}),
                 out_of_range + ":3: bad value '100' for knob 'thread_cache_slots'");
  expect_refused(run_allocsim({"replay", trace, "--config", out_of_range}),
                 out_of_range + ":3: bad value '100' for knob 'thread_cache_slots'");
  expect_refused(run_allocsim({"sweep", spec_with(dir, R"("b.ini")"), "-o", dir.path("out")}),
                 out_of_range + ":3: bad value '100'");
}

TEST(CliSweepBadInput, AMissingPolicyFileIsNoSuchFileNotAnUnknownPolicy) {
  TempDir dir;
  const RunResult r = run_allocsim({"replay", sample_path("ht_edgecases.raw.zst"), "--policy", "./nosuch.ini"});
  expect_refused(r, "policy file './nosuch.ini': no such file");
  EXPECT_FALSE(says(r, "unknown policy")) << r.err;
  // A preset name that does not exist lists the ones that do.
  expect_refused(run_allocsim({"replay", sample_path("ht_edgecases.raw.zst"), "--policy", "nosuch"}), "fixed-queue");
}

TEST(CliSweepBadInput, AnUnreadableTraceIsFoundBeforeAnyRun) {
  TempDir dir;
  dir.write("junk.txt", "this is not a trace\nnor is this\n");
  const std::string spec = spec_with(dir, R"("adaptive", "fixed-queue")", "junk.txt");
  const RunResult r = run_allocsim({"sweep", spec, "-o", dir.path("out")});
  expect_refused(r, dir.path("junk.txt"));
  EXPECT_TRUE(says(r, spec)) << r.err;
  EXPECT_FALSE(fs::exists(dir.path("out/runs"))) << "runs were started";
  // The same in a dry run: the plan of an impossible sweep is not shown as fine.
  EXPECT_EQ(run_allocsim({"sweep", spec, "-o", dir.path("out"), "--dry-run"}).exit_code, 2);
}

}  // namespace
}  // namespace allocsim::testing
