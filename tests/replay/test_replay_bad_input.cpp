// Bad input to `allocsim replay`: a clear message naming the file, key or
// event, exit code 2, and never a half-written (or clobbered) metrics file.
#include <filesystem>

#include "tests/replay/replay_test_support.hpp"
#include "tests/common/launch.hpp"
#include "tests/traces/trace_support.hpp"

namespace allocsim::sim::testing {
namespace {

namespace fs = std::filesystem;
using traces::testing::TempDir;

using allocsim::testing::RunResult;
using allocsim::testing::read_file;

// allocsim replay ARGS...
RunResult allocsim(std::vector<std::string> args) {
  args.insert(args.begin(), "replay");
  return allocsim::testing::run_allocsim(std::move(args));
}

const char* kUnknownFreeCsv =
    "# allocsim-csv v1\n"
    "0,malloc,0,100\n"
    "0,free,7\n"
    "0,free,0\n";

TEST(ReplayBadInput, LibraryRejectsAFreeOfAnObjectThatIsNotLive) {
  traces::Event born, freed;
  born.id = 0;
  born.size = 64;
  freed.op = traces::Op::Free;
  freed.id = 3;
  traces::testing::VectorReader reader({born, freed});
  try {
    replay(reader, request_for("my.trace", "adaptive", ReplayMode::Virtual));
    FAIL() << "no ReplayError";
  } catch (const ReplayError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("my.trace"), std::string::npos) << what;
    EXPECT_NE(what.find("event index 1"), std::string::npos) << what;
    EXPECT_NE(what.find("object 3"), std::string::npos) << what;
  }
}

TEST(ReplayBadInput, LibraryRejectsObjectsBornOutOfOrderInBothModes) {
  for (const ReplayMode mode : {ReplayMode::Virtual, ReplayMode::Threaded}) {
    traces::Event e;
    e.id = 5;
    e.size = 8;
    traces::testing::VectorReader reader({e});
    EXPECT_THROW(replay(reader, request_for("t", "adaptive", mode)), ReplayError);
  }
}

TEST(ReplayBadInput, ThreadedModeRejectsAnUnsatisfiableFreeInsteadOfHanging) {
  traces::Event a, f;
  a.id = 0;
  a.size = 32;
  f.op = traces::Op::Free;
  f.id = 1;  // freed on another thread, never allocated
  f.thread = 1;
  traces::testing::VectorReader reader({a, f}, 2);
  EXPECT_THROW(replay(reader, request_for("t", "adaptive", ReplayMode::Threaded)), ReplayError);
}

TEST(ReplayBadInput, UnknownFreeIsAnAnomalyAndAnErrorWithStrict) {
  TempDir dir;
  const std::string trace = dir.write("unknown.csv", kUnknownFreeCsv);
  const std::string out = dir.path("m.json");
  const RunResult lenient = allocsim({trace, "-o", out});
  ASSERT_EQ(lenient.exit_code, 0) << lenient.describe();
  const auto j = nlohmann::json::parse(read_file(out));
  EXPECT_EQ(j["run"]["trace_anomalies"]["unknown_free"], 1);
  EXPECT_EQ(j["summary"]["final_live_bytes"], 0);

  const RunResult strict = allocsim({trace, "--strict", "-o", dir.path("strict.json")});
  EXPECT_EQ(strict.exit_code, 2) << strict.describe();
  EXPECT_NE(strict.err.find("unknown.csv:3"), std::string::npos) << strict.err;
  EXPECT_FALSE(fs::exists(dir.path("strict.json")));
}

TEST(ReplayBadInput, BadKnobsAndPoliciesExitTwoNamingTheCulprit) {
  TempDir dir;
  const std::string trace = dir.write("ok.csv", "0,malloc,0,100\n0,free,0\n");
  const std::string ini = dir.write("bad.ini", "# comment\nevent_cost_ns = 10\nqueue_initial = 8\nbogus_knob = 1\n");
  const std::string bad_value_ini = dir.write("badval.ini", "touch = sometimes\n");
  struct Expect {
    std::vector<std::string> args;
    std::vector<std::string> says;
  };
  const std::vector<Expect> cases = {
      {{"--set", "no_such_knob=3"}, {"no_such_knob"}},
      {{"--set", "queue_initial=lots"}, {"queue_initial", "lots"}},
      {{"--set", "collector_budget=-1"}, {"collector_budget"}},
      {{"--set", "oops"}, {"key=value"}},
      {{"--config", ini}, {"bad.ini:4", "bogus_knob"}},
      {{"--config", bad_value_ini}, {"badval.ini:1", "touch", "sometimes"}},
      {{"--config", dir.path("missing.ini")}, {"missing.ini"}},
      {{"--policy", "no-such-policy"}, {"no-such-policy", "adaptive"}},
      {{"--mode", "sideways"}, {"sideways"}},
      {{"--backend", "bespoke"}, {"bespoke"}},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{trace, "-o", dir.path("never.json")};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const RunResult r = allocsim(args);
    EXPECT_EQ(r.exit_code, 2) << c.args.front() << " " << r.describe();
    for (const auto& s : c.says) EXPECT_NE(r.err.find(s), std::string::npos) << s << " not in: " << r.err;
  }
  EXPECT_FALSE(fs::exists(dir.path("never.json")));
  EXPECT_EQ(allocsim({dir.path("no-such-trace.zst")}).exit_code, 2);
}

TEST(ReplayBadInput, AFailedRunLeavesTheOldMetricsFileWholeAndNoTemporaries) {
  TempDir dir;
  const std::string out = dir.write("metrics.json", "{\"old\": true}\n");
  const std::string csv = dir.write("row.csv", "old\n");
  const RunResult r = allocsim({sample_path("ht_edgecases.raw.zst"), "--set", "bogus=1", "-o", out, "-o", csv});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(read_file(out), "{\"old\": true}\n");
  EXPECT_EQ(read_file(csv), "old\n");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path(""))) files += e.is_regular_file();
  EXPECT_EQ(files, 2);
  // A good run replaces both whole.
  ASSERT_EQ(allocsim({sample_path("ht_edgecases.raw.zst"), "-o", out, "-o", csv}).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(read_file(out))["schema"], "allocsim-metrics/2");
}

}  // namespace
}  // namespace allocsim::sim::testing
