// `allocsim record`: each recorder on a real multi-threaded program, the
// completeness check, partial recordings of a crashing program, and the
// errors for a missing recorder or program.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/record/recorder.hpp"
#include "tests/preload/preload_support.hpp"
#include "traces/event_reader.hpp"

namespace allocsim::sim::testing {
namespace {

namespace fs = std::filesystem;

RunResult record(const std::vector<std::string>& args, std::map<std::string, std::optional<std::string>> env = {}) {
  RunSpec spec;
  spec.argv = {ALLOCSIM_BINARY, "record"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = std::move(env);
  return run_program(spec);
}

struct TraceCounts {
  std::uint64_t events = 0, allocations = 0;
  std::uint32_t threads = 0;
  traces::Format source = traces::Format::Auto;
  std::uint64_t traced_wall_ns = 0, untraced_wall_ns = 0;
};

TraceCounts read_native(const std::string& path) {
  auto reader = traces::open_trace(path);
  EXPECT_EQ(reader->info().format, traces::Format::Native);
  TraceCounts c;
  std::vector<traces::Event> batch(4096);
  while (const std::size_t n = reader->read(batch))
    for (std::size_t i = 0; i < n; ++i) {
      ++c.events;
      if (batch[i].op != traces::Op::Free) ++c.allocations;
    }
  c.threads = reader->info().threads;
  c.traced_wall_ns = reader->info().traced_wall_ns;
  c.untraced_wall_ns = reader->info().untraced_wall_ns;
  return c;
}

bool have(const std::string& tool) {
  RunSpec spec;
  spec.argv = {"sh", "-c", "command -v " + tool};
  return !run_program(spec).out.empty();
}

#define REQUIRE_TOOL(tool) \
  if (!have(tool)) GTEST_SKIP() << tool " is not installed (scripts/setup.sh installs it)"

TEST(Record, HeaptrackRawOfAMultiThreadedProgram) {
  REQUIRE_TOOL("heaptrack");
  TempDir dir;
  const std::string out = dir.path("prodcons.trace");
  const RunResult r = record({"-o", out, "--", helper("mt_prodcons"), "500"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("consumer sum 1500"), std::string::npos) << "the program's own output passes through";
  EXPECT_EQ(r.out.find("consumer sum 1500"), r.out.rfind("consumer sum 1500")) << "the untraced run's is discarded";
  EXPECT_TRUE(fs::exists(out + ".heaptrack.raw.zst")) << "the recording is kept";
  const TraceCounts c = read_native(out);
  // 1500 messages, each allocated once (plus the program's other allocations).
  EXPECT_GE(c.allocations, 1500u);
  EXPECT_EQ(c.threads, 1u) << "heaptrack records no thread ids";
  EXPECT_NE(r.err.find(std::to_string(c.events) + " events"), std::string::npos) << r.err;
}

TEST(Record, LtraceSeesEveryThread) {
  REQUIRE_TOOL("ltrace");
  TempDir dir;
  const std::string out = dir.path("prodcons.trace");
  const RunResult r = record({"--tool", "ltrace", "-o", out, "--", helper("mt_prodcons"), "100"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(fs::exists(out + ".ltrace.txt"));
  const TraceCounts c = read_native(out);
  EXPECT_GE(c.allocations, 300u);
  EXPECT_EQ(c.threads, 5u) << "main, the consumer and 3 producers";
  // ltrace stops the program at every call: the untraced run is faster.
  EXPECT_GT(c.untraced_wall_ns, 0u);
  EXPECT_LT(c.untraced_wall_ns, c.traced_wall_ns);
  EXPECT_NE(r.err.find("replay scales time by"), std::string::npos) << r.err;
}

TEST(Record, WithoutUntracedRunsTheTraceHasNoWallTimes) {
  REQUIRE_TOOL("heaptrack");
  TempDir dir;
  const std::string out = dir.path("prodcons.trace");
  const RunResult r = record({"--untraced-runs", "0", "-o", out, "--", helper("mt_prodcons"), "50"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const TraceCounts c = read_native(out);
  EXPECT_EQ(c.traced_wall_ns, 0u);
  EXPECT_EQ(c.untraced_wall_ns, 0u);
}

TEST(Record, MtraceThroughThePreloadShim) {
  TempDir dir;
  const std::string out = dir.path("crasher.trace");
  const RunResult r = record({"--tool", "mtrace", "-o", out, "--", helper("record_crasher")},
                             {{"ALLOCSIM_MTRACE_SHIM", std::string(ALLOCSIM_MTRACE_SHIM)}});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const TraceCounts c = read_native(out);
  EXPECT_GE(c.allocations, 64u) << "the program's 64 mallocs";
  EXPECT_GE(c.events - c.allocations, 64u) << "and their 64 frees";
}

TEST(Record, CrashUnderEachRecorderKeepsAPartialRecording) {
  for (const std::string tool : {"heaptrack", "ltrace", "mtrace"}) {
    if (tool != "mtrace" && !have(tool)) continue;
    SCOPED_TRACE(tool);
    TempDir dir;
    const std::string out = dir.path("crash.trace");
    const RunResult r = record({"--tool", tool, "-o", out, "--", helper("record_crasher"), "crash"},
                               {{"ALLOCSIM_MTRACE_SHIM", std::string(ALLOCSIM_MTRACE_SHIM)}});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("partial"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("SIGSEGV"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << "a partial recording never takes the complete name";
    const std::string ext = tool == "heaptrack" ? ".raw.zst" : ".txt";
    EXPECT_TRUE(fs::exists(out + ".partial." + tool + ext)) << r.err;
    if (tool != "heaptrack") {  // heaptrack loses its buffer in a crash; the text recorders keep most lines
      ASSERT_TRUE(fs::exists(out + ".partial")) << r.err;
      EXPECT_GE(read_native(out + ".partial").allocations, 60u);
    }
  }
}

// A stand-in ltrace that loses a breakpoint on its first run only (a
// counter file beside it), as ltrace 0.7 does now and then with threads.
std::string flaky_ltrace(const TempDir& dir) {
  const std::string script = dir.path("ltrace");
  std::ofstream(script) << "#!/bin/sh\n"
                           "while [ $# -gt 1 ]; do [ \"$1\" = -o ] && log=$2; shift; done\n"
                           "runs=$(cat " << dir.path("runs") << " 2>/dev/null || echo 0)\n"
                           "echo $((runs + 1)) > " << dir.path("runs") << "\n"
                           "if [ \"$runs\" = 0 ]; then\n"
                           "  printf '7 1.0 unexpected breakpoint at 0x4000\\n7 1.1 +++ killed by SIGSEGV +++\\n' > \"$log\"\n"
                           "else\n"
                           "  printf '7 1.0 malloc@libc.so.6(10) = 0x5000 <0.000010>\\n7 1.1 free@libc.so.6(0x5000) = <void> <0.000010>\\n"
                           "7 1.2 +++ exited (status 0) +++\\n' > \"$log\"\n"
                           "fi\n";
  fs::permissions(script, fs::perms::owner_all);
  return dir.path("");
}

TEST(Record, LtracesOwnCrashIsRecordedAgain) {
  TempDir dir;
  const std::string path = flaky_ltrace(dir) + ":" + std::getenv("PATH");
  const RunResult r = record({"--tool", "ltrace", "-o", dir.path("t"), "--", "true"}, {{"PATH", path}});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("recording again (attempt 2 of 5)"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir.path("runs")), "2\n");
  EXPECT_EQ(read_native(dir.path("t")).events, 2u);
}

TEST(Record, OneAttemptKeepsLtracesCrashAsPartial) {
  TempDir dir;
  const std::string path = flaky_ltrace(dir) + ":" + std::getenv("PATH");
  const RunResult r = record({"--tool", "ltrace", "--attempts", "1", "-o", dir.path("t"), "--", "true"}, {{"PATH", path}});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("ltrace hit an unexpected breakpoint"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir.path("runs")), "1\n");
  EXPECT_FALSE(fs::exists(dir.path("t")));
}

TEST(Record, ProgramFailureIsReportedAndTheRecordingKept) {
  TempDir dir;
  const std::string out = dir.path("fail.trace");
  const RunResult r = record({"--tool", "mtrace", "-o", out, "--", helper("record_crasher"), "fail"},
                             {{"ALLOCSIM_MTRACE_SHIM", std::string(ALLOCSIM_MTRACE_SHIM)}});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("exited with status 3"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(out)) << "the run ended normally: the recording is complete";
}

TEST(Record, MissingRecorderOrProgramIsABadInputError) {
  TempDir dir;
  const RunResult no_tool = record({"-o", dir.path("t"), "--", helper("record_crasher")}, {{"PATH", "/nonexistent"}});
  EXPECT_EQ(no_tool.exit_code, 2);
  EXPECT_NE(no_tool.err.find("heaptrack not found"), std::string::npos) << no_tool.err;
  const RunResult no_program = record({"-o", dir.path("t"), "--", "/nonexistent/program"});
  EXPECT_EQ(no_program.exit_code, 2);
  EXPECT_NE(no_program.err.find("no such program"), std::string::npos) << no_program.err;
  const RunResult bad_tool = record({"--tool", "valgrind", "-o", dir.path("t"), "--", "true"});
  EXPECT_EQ(bad_tool.exit_code, 2);
  EXPECT_NE(bad_tool.err.find("unknown recorder 'valgrind'"), std::string::npos) << bad_tool.err;
  const RunResult no_output = record({"--", "true"});
  EXPECT_EQ(no_output.exit_code, 2);
  EXPECT_TRUE(dir.files().empty());
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// check_ltrace_log on a log with these lines.
ProgramEnd check_log(const std::string& text) {
  TempDir dir;
  write(dir.path("log"), text);
  return check_ltrace_log(dir.path("log"));
}

TEST(RecordLtraceCheck, EveryPidExitedIsComplete) {
  const ProgramEnd end = check_log(
      "100 1.0 malloc@libc.so.6(10) = 0x5000 <0.000010>\n"
      "101 1.1 free@libc.so.6(0x5000) = <void> <0.000010>\n"
      "101 1.2 +++ exited (status 0) +++\n"
      "100 1.3 +++ exited (status 7) +++\n");
  EXPECT_TRUE(end.complete()) << end.problem;
  ASSERT_TRUE(end.exit_status.has_value());
  EXPECT_EQ(*end.exit_status, 7) << "the first pid is the program";
}

TEST(RecordLtraceCheck, KilledOrUnfinishedPidsMakeItPartial) {
  ProgramEnd end = check_log(
      "100 1.0 malloc@libc.so.6(10) = 0x5000 <0.000010>\n"
      "100 1.1 --- SIGSEGV (Segmentation fault) ---\n"
      "100 1.2 +++ killed by SIGSEGV +++\n");
  EXPECT_FALSE(end.complete());
  EXPECT_EQ(end.signal, "SIGSEGV");
  EXPECT_NE(end.problem.find("pid 100 (SIGSEGV)"), std::string::npos) << end.problem;
  EXPECT_FALSE(end.recorder_fault) << "the program crashed by itself: not ltrace's fault";

  end = check_log(
      "100 1.0 malloc@libc.so.6(10) = 0x5000 <0.000010>\n"
      "102 1.1 malloc@libc.so.6(20 <unfinished ...>\n"
      "100 1.2 +++ exited (status 0) +++\n");
  EXPECT_FALSE(end.complete());
  EXPECT_NE(end.problem.find("no exit line for pid 102"), std::string::npos) << end.problem;

  end = check_ltrace_log(TempDir().path("missing"));
  EXPECT_FALSE(end.complete());
}

// ltrace 0.7 losing a breakpoint in a threaded program, as seen in a real log.
TEST(RecordLtraceCheck, AnUnexpectedBreakpointIsLtracesFault) {
  const ProgramEnd end = check_log(
      "200 1.0 malloc@libc.so.6(504 <unfinished ...>\n"
      "201 1.1 unexpected breakpoint at 0x558ea7fff97a\n"
      "201 1.2 --- SIGSEGV (Segmentation fault) ---\n"
      "201 1.3 +++ killed by SIGSEGV +++\n"
      "200 1.4 +++ killed by SIGSEGV +++\n");
  EXPECT_FALSE(end.complete());
  EXPECT_TRUE(end.recorder_fault);
  EXPECT_NE(end.problem.find("unexpected breakpoint"), std::string::npos) << end.problem;
}

// The shared multi-threaded sample has one, and its program went on to exit 0.
TEST(RecordLtraceCheck, AnUnexpectedBreakpointWithoutACrashIsHarmless) {
  const ProgramEnd end = check_log(
      "200 1.0 malloc@libc.so.6(504 <unfinished ...>\n"
      "201 1.1 unexpected breakpoint at 0x558ea7fff97a\n"
      "200 1.2 <... malloc resumed> ) = 0x5000 <0.000010>\n"
      "201 1.3 +++ exited (status 0) +++\n"
      "200 1.4 +++ exited (status 0) +++\n");
  EXPECT_TRUE(end.complete()) << end.problem;
  EXPECT_FALSE(end.recorder_fault);
}

}  // namespace
}  // namespace allocsim::sim::testing
