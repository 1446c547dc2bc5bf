// The ltrace call-matching state machine on small inline recordings: every
// entry point, split calls across threads, nested calls, clocks, process
// ends, and what is an anomaly versus an error.
#include <gtest/gtest.h>

#include "tests/traces/text_trace_support.hpp"
#include "traces/ltrace_reader.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

using testing::read_text;
using testing::ReadResult;

constexpr std::uint64_t kMs = 1'000'000;

ReadResult read_ltrace(std::string_view text, const ReadOptions& options = {}) {
  return read_text(make_ltrace_reader, text, options);
}

Event alloc(Op op, std::uint64_t id, std::uint64_t size, std::uint32_t thread = 0, std::uint32_t align = 0,
            std::uint64_t old_id = kNoObject) {
  return Event{.id = id, .old_id = old_id, .size = size, .thread = thread, .align = align, .op = op};
}
Event death(std::uint64_t id, std::uint32_t thread = 0) { return Event{.id = id, .thread = thread, .op = Op::Free}; }

std::vector<Event> without_time(std::vector<Event> events) {
  for (Event& e : events) e.time = kNoTime;
  return events;
}

TEST(LtraceReader, EveryEntryPointInSymbolMode) {
  const ReadResult r = read_ltrace(
      "malloc@libc.so.6(100) = 0x1000\n"
      "calloc@libc.so.6(10, 8) = 0x2000\n"
      "realloc@libc.so.6(0x1000, 200) = 0x3000\n"
      "reallocarray@libc.so.6(0x3000, 3, 100) = 0x3000\n"
      "posix_memalign@libc.so.6(0x4000, 64, 300) = 0\n"
      "memalign@libc.so.6(32, 64) = 0x5000\n"
      "aligned_alloc@libc.so.6(128, 1000) = 0x6000\n"
      "valloc@libc.so.6(5000) = 0x7000\n"
      "pvalloc@libc.so.6(5000) = 0x9000\n"
      "free@libc.so.6(0x2000) = <void>\n");
  const std::vector<Event> expected = {
      alloc(Op::Malloc, 0, 100),
      alloc(Op::Calloc, 1, 80),
      alloc(Op::Realloc, 2, 200, 0, 0, 0),
      alloc(Op::Realloc, 3, 300, 0, 0, 2),
      alloc(Op::Memalign, 4, 300, 0, 64),
      alloc(Op::Memalign, 5, 64, 0, 32),
      alloc(Op::Memalign, 6, 1000, 0, 128),
      alloc(Op::Memalign, 7, 5000, 0, 4096),
      alloc(Op::Memalign, 8, 8192, 0, 4096),
      death(1),
  };
  EXPECT_EQ(r.events, expected);
  EXPECT_EQ(r.info.threads, 1u);
  EXPECT_FALSE(r.info.has_time);
  EXPECT_EQ(r.anomalies.repairs(), 0u);
  ASSERT_TRUE(r.calls);
  EXPECT_EQ(r.calls->alloc_calls(), 9u);
  EXPECT_EQ(r.calls->of(AllocFn::Free), 1u);
  EXPECT_EQ(r.calls->of(AllocFn::AlignedAlloc), 1u);
  EXPECT_EQ(r.calls->of(AllocFn::Memalign), 1u);
}

TEST(LtraceReader, InterleavedSplitCallsAcrossPidsComeOutInApplyOrder) {
  // Thread 15231 frees A at its entry line; 15233 is handed A before the
  // free has printed its return: that is a new lifetime, not a reuse.
  const ReadResult r = read_ltrace(
      "15230 1795662800.225510 malloc@libc.so.6(64) = 0x7fa1c0000900\n"
      "15231 1795662800.231708 free@libc.so.6(0x7fa1c0000900 <unfinished ...>\n"
      "15233 1795662800.231800 malloc@libc.so.6(48 <unfinished ...>\n"
      "15230 1795662800.231900 malloc@libc.so.6(24 <unfinished ...>\n"
      "15233 1795662800.232251 <... malloc resumed> )   = 0x7fa1c0000900 <0.000155>\n"
      "15231 1795662800.232300 <... free resumed> )     = <void> <0.000209>\n"
      "15230 1795662800.232400 <... malloc resumed> )   = 0x5599ee6653e0 <0.000134>\n");
  const std::vector<Event> expected = {
      alloc(Op::Malloc, 0, 64, 0), death(0, 1), alloc(Op::Malloc, 1, 48, 2), alloc(Op::Malloc, 2, 24, 0),
  };
  EXPECT_EQ(without_time(r.events), expected);
  EXPECT_EQ(r.info.threads, 3u);
  EXPECT_EQ(r.anomalies.repairs(), 0u);
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[0].time, 0u);
  EXPECT_EQ(r.events[1].time, 6198000u);  // the free's entry line
  EXPECT_EQ(r.events[2].time, 6741000u);  // the malloc's resumed line
  EXPECT_TRUE(r.info.has_time);
}

TEST(LtraceReader, NestedCallsInSymbolModeCountOnce) {
  // glibc's realloc(NULL, n) calls malloc and realloc(p, 0) calls free;
  // both inner calls hit the -x breakpoints.
  const ReadResult r = read_ltrace(
      "15238 03:13:27.417694 realloc@libc.so.6(0, 50 <unfinished ...>\n"
      "15238 03:13:27.417730 malloc@libc.so.6(50)       = 0x55868f753af0 <0.000035>\n"
      "15238 03:13:27.417766 <... realloc resumed> )    = 0x55868f753af0 <0.000035>\n"
      "15238 03:13:27.417907 realloc@libc.so.6(0x55868f753af0, 0 <unfinished ...>\n"
      "15238 03:13:27.417944 free@libc.so.6(0x55868f753af0) = <void> <0.000035>\n"
      "15238 03:13:27.417985 <... realloc resumed> )    = 0 <0.000078>\n");
  EXPECT_EQ(without_time(r.events), (std::vector<Event>{alloc(Op::Realloc, 0, 50), death(0)}));
  EXPECT_EQ(r.count(Anomaly::NestedCall), 2u);
  EXPECT_EQ(r.count(Anomaly::FailedAlloc), 0u);
  EXPECT_EQ(r.calls->of(AllocFn::Realloc), 2u);
  EXPECT_EQ(r.calls->of(AllocFn::Malloc), 0u);
  EXPECT_EQ(r.calls->of(AllocFn::Free), 0u);
  EXPECT_EQ(r.calls->realloc_freed, 1u);
  EXPECT_EQ(r.events[1].time, 219000u);  // realloc(p, 0) frees at its return line
}

TEST(LtraceReader, PosixMemalignSplitFormTakesTheResultFromTheResumedLine) {
  const ReadResult r = read_ltrace(
      "10498 1795662800.226825 posix_memalign@libc.so.6( <unfinished ...>\n"
      "10499 1795662800.226900 malloc@libc.so.6(16) = 0x9000\n"
      "10498 1795662800.227177 <... posix_memalign resumed> 0x7f2a7400b340, 64, 517) = 0 <0.000332>\n"
      "10498 1795662800.227200 posix_memalign@libc.so.6(0x10, 64, 1 <unfinished ...>\n"
      "10498 1795662800.227300 <... posix_memalign resumed> ) = 12\n");
  EXPECT_EQ(without_time(r.events), (std::vector<Event>{alloc(Op::Malloc, 0, 16, 0), alloc(Op::Memalign, 1, 517, 1, 64)}));
  EXPECT_EQ(r.count(Anomaly::FailedAlloc), 1u);
  EXPECT_EQ(r.calls->of(AllocFn::PosixMemalign), 2u);
}

TEST(LtraceReader, TimeOfDayClockWrapsAtMidnight) {
  const ReadResult r = read_ltrace(
      "23:59:59.900000 malloc(1) = 0x10\n"
      "00:00:00.100000 malloc(2) = 0x20\n"
      "00:00:01 malloc(3) = 0x30\n");
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0].time, 0u);
  EXPECT_EQ(r.events[1].time, 200 * kMs);
  EXPECT_EQ(r.events[2].time, 1100 * kMs);
}

TEST(LtraceReader, ClockNeverRunsBackwards) {
  const ReadResult r = read_ltrace(
      "1 1000.500000 malloc(1) = 0x10\n"
      "2 1000.400000 malloc(2) = 0x20\n");
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[1].time, 0u);
}

TEST(LtraceReader, KilledProcessDropsItsPendingCalls) {
  const ReadResult r = read_ltrace(
      "[pid 7] malloc(10) = 0x10\n"
      "[pid 8] malloc(20 <unfinished ...>\n"
      "[pid 7] --- SIGSEGV (Segmentation fault) ---\n"
      "[pid 8] +++ killed by SIGSEGV +++\n"
      "[pid 7] +++ killed by SIGSEGV +++\n");
  EXPECT_EQ(r.events, (std::vector<Event>{alloc(Op::Malloc, 0, 10)}));
  EXPECT_EQ(r.count(Anomaly::Unfinished), 1u);
  EXPECT_EQ(r.count(Anomaly::IgnoredLine), 3u);
  EXPECT_EQ(r.anomalies.samples[static_cast<int>(Anomaly::Unfinished)].at(0).line, 2u);
}

TEST(LtraceReader, CallsStillPendingAtTheEndAreUnfinished) {
  const ReadResult r = read_ltrace(
      "1 malloc(10) = 0x10\n"
      "1 realloc(0x10, 20 <unfinished ...>\n");
  EXPECT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.count(Anomaly::Unfinished), 1u);
}

TEST(LtraceReader, PltModeDropsLibcMislabels) {
  const ReadResult r = read_ltrace(
      "15241 edgecases->malloc(100) = 0x564a5f2842a0\n"
      "15241 libc.so.6->realloc(0x7f76933671b4, 5) = 0x5\n"
      "15241 libc.so.6->malloc(5 <unfinished ...>\n"
      "15241 edgecases->free(0x564a5f2842a0) = <void>\n"
      "15241 <... malloc resumed> ) = 0x77\n");
  EXPECT_EQ(r.events, (std::vector<Event>{alloc(Op::Malloc, 0, 100), death(0)}));
  EXPECT_EQ(r.count(Anomaly::IgnoredLine), 3u);
  EXPECT_EQ(r.count(Anomaly::NestedCall), 0u);
  EXPECT_EQ(r.calls->alloc_calls(), 1u);
}

TEST(LtraceReader, FailedReallocLeavesTheOldBlockLive) {
  const ReadResult r = read_ltrace(
      "malloc(10) = 0x10\n"
      "realloc(0x10, 99999999999) = 0\n"
      "free(0x10) = <void>\n");
  EXPECT_EQ(r.events, (std::vector<Event>{alloc(Op::Malloc, 0, 10), death(0)}));
  EXPECT_EQ(r.count(Anomaly::FailedAlloc), 1u);
}

TEST(LtraceReader, FailedSplitReallocLeavesTheOldBlockLive) {
  const ReadResult r = read_ltrace(
      "1 malloc(10) = 0x10\n"
      "1 realloc(0x10, 99999999999 <unfinished ...>\n"
      "2 free(0x10) = <void>\n"
      "1 <... realloc resumed> ) = 0\n"
      "1 free(0x10) = <void>\n");
  // While the realloc runs its pointer counts as freed: thread 2's free is unknown.
  EXPECT_EQ(r.events, (std::vector<Event>{alloc(Op::Malloc, 0, 10), death(0)}));
  EXPECT_EQ(r.count(Anomaly::UnknownFree), 1u);
  EXPECT_EQ(r.count(Anomaly::FailedAlloc), 1u);
}

TEST(LtraceReader, SplitReallocWhoseOldAddressIsReusedMeanwhile) {
  const ReadResult r = read_ltrace(
      "1 malloc(10) = 0x10\n"
      "1 realloc(0x10, 500 <unfinished ...>\n"
      "2 malloc(16) = 0x10\n"
      "1 <... realloc resumed> ) = 0x900\n"
      "2 free(0x10) = <void>\n");
  EXPECT_EQ(r.events, (std::vector<Event>{alloc(Op::Malloc, 0, 10), alloc(Op::Malloc, 1, 16, 1),
                                          alloc(Op::Realloc, 2, 500, 0, 0, 0), death(1, 1)}));
  EXPECT_EQ(r.anomalies.repairs(), 0u);
}

TEST(LtraceReader, AllocationOfALiveAddressEndsTheOldLifetime) {
  const ReadResult r = read_ltrace(
      "malloc(10) = 0x10\n"
      "malloc(20) = 0x10\n");
  EXPECT_EQ(r.events, (std::vector<Event>{alloc(Op::Malloc, 0, 10), death(0), alloc(Op::Malloc, 1, 20)}));
  EXPECT_EQ(r.count(Anomaly::LiveReuse), 1u);
}

TEST(LtraceReader, NullAndUnknownFreesAndReallocs) {
  const ReadResult r = read_ltrace(
      "free(0) = <void>\n"
      "free(0x1234) = <void>\n"
      "realloc(0x5678, 10) = 0x20\n"
      "realloc(nil, 10) = 0x30\n");
  EXPECT_EQ(r.events, (std::vector<Event>{alloc(Op::Realloc, 0, 10), alloc(Op::Realloc, 1, 10)}));
  EXPECT_EQ(r.count(Anomaly::NullFree), 1u);
  EXPECT_EQ(r.count(Anomaly::UnknownFree), 1u);
  EXPECT_EQ(r.count(Anomaly::UnknownRealloc), 1u);
}

TEST(LtraceReader, UnmatchedResumeIsReported) {
  const ReadResult r = read_ltrace(
      "1 <... malloc resumed> ) = 0x10\n"
      "1 <... strlen resumed> ) = 3\n");
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.count(Anomaly::UnmatchedResume), 1u);
  EXPECT_EQ(r.count(Anomaly::IgnoredLine), 1u);
}

TEST(LtraceReader, ResumeOfAnOuterCallAbandonsCallsAboveIt) {
  const ReadResult r = read_ltrace(
      "1 malloc(10 <unfinished ...>\n"
      "1 strdup(\"x\" <unfinished ...>\n"
      "1 <... malloc resumed> ) = 0x10\n");
  EXPECT_EQ(r.events, (std::vector<Event>{alloc(Op::Malloc, 0, 10)}));
  EXPECT_EQ(r.anomalies.repairs(), 0u);  // strdup is not ours to count
}

TEST(LtraceReader, UntracedFunctionsDoNotHideAllocations) {
  const ReadResult r = read_ltrace(
      "1 strdup@libc.so.6(\"abc\" <unfinished ...>\n"
      "1 malloc@libc.so.6(4) = 0x10\n"
      "1 <... strdup resumed> ) = \"abc\"\n");
  EXPECT_EQ(r.events, (std::vector<Event>{alloc(Op::Malloc, 0, 4)}));
  EXPECT_EQ(r.count(Anomaly::NestedCall), 0u);
}

TEST(LtraceReader, ProgramOutputAndNoiseAreIgnoredLines) {
  const ReadResult r = read_ltrace(
      "[pid 15236] 03:13:21.660951 libsqlite3.so.0->malloc(48) = 0x55ffa67ae2a0 <0.000611>\n"
      "consumer sum 123\n"
      "\n"
      "[pid 15236] 03:13:21.700000 unexpected breakpoint at 0x5599eb8ad804\n"
      "[pid 15236] 03:13:27.407742 +++ exited (status 0) +++\n");
  EXPECT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.count(Anomaly::IgnoredLine), 4u);
  EXPECT_EQ(r.anomalies.repairs(), 0u);
}

TEST(LtraceReader, ThreadsAreNumberedByFirstEvent) {
  const ReadResult r = read_ltrace(
      "30 +++ exited (status 0) +++\n"
      "20 malloc(1) = 0x10\n"
      "10 malloc(2) = 0x20\n"
      "20 free(0x20) = <void>\n");
  EXPECT_EQ(r.events, (std::vector<Event>{alloc(Op::Malloc, 0, 1, 0), alloc(Op::Malloc, 1, 2, 1), death(1, 0)}));
  EXPECT_EQ(r.info.threads, 2u);
  // A call still running does not number its thread: its first event does.
  const ReadResult split = read_ltrace(
      "20 malloc(1 <unfinished ...>\n"
      "10 malloc(2) = 0x20\n"
      "20 <... malloc resumed> ) = 0x10\n");
  EXPECT_EQ(split.events, (std::vector<Event>{alloc(Op::Malloc, 0, 2, 0), alloc(Op::Malloc, 1, 1, 1)}));
}

TEST(LtraceReader, StrictModeMakesRepairsErrorsWithFileAndLine) {
  const std::string text = "malloc(1) = 0x10\nfree(0x99) = <void>\n";
  EXPECT_NO_THROW(read_ltrace(text));
  try {
    read_ltrace(text, ReadOptions{.strict = true});
    FAIL() << "expected a TraceError";
  } catch (const TraceError& e) {
    EXPECT_EQ(e.file(), "test.txt");
    EXPECT_EQ(e.position(), 2u);
    EXPECT_NE(std::string(e.what()).find("test.txt:2: unknown_free"), std::string::npos) << e.what();
  }
  // Null frees and ignored lines are part of healthy recordings.
  EXPECT_NO_THROW(read_ltrace("free(0) = <void>\nhello\n", ReadOptions{.strict = true}));
}

void expect_error_at(std::string_view text, std::uint64_t line, std::string_view words) {
  try {
    read_ltrace(text);
    ADD_FAILURE() << "expected a TraceError for:\n" << text;
  } catch (const TraceError& e) {
    EXPECT_EQ(e.position(), line) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(LtraceReader, BadArgumentsOfKnownFunctionsAreErrors) {
  expect_error_at("malloc(1) = 0x10\nmalloc(18446744073709551616) = 0x20\n", 2, "out of range");
  expect_error_at("malloc(abc) = 0x20\n", 1, "not a number");
  expect_error_at("malloc(10) = 0xzz\n", 1, "not a number");
  expect_error_at("calloc(4294967296, 4294967296) = 0x20\n", 1, "overflows");
  expect_error_at("malloc() = 0x20\n", 1, "needs 1");
  expect_error_at("posix_memalign(0x7ffc0000, 0x40, 0x12c, 0x1, 0x2, 0x3) = 0\n", 1, "prototype");
  expect_error_at("memalign(0x100000000, 8) = 0x20\n", 1, "alignment");
  expect_error_at("1 realloc(0x10, 5 <unfinished ...>\n1 <... realloc resumed> ) = 0x99999999999999999\n", 2,
                  "not a number");
}

TEST(LtraceReader, Detection) {
  EXPECT_TRUE(looks_like_ltrace("15238 03:13:27.417238 malloc@libc.so.6(100)      = 0x55868f7532a0 <0.000115>\n"));
  EXPECT_TRUE(looks_like_ltrace("hello from the program\n[pid 5] libfoo.so->free(0x10) = <void>\n"));
  EXPECT_FALSE(looks_like_ltrace("= Start\n@ ./edgecases:[0x122c] + 0x55c07e94a4a0 0x64\n"));
  EXPECT_FALSE(looks_like_ltrace("# allocsim-csv v1\n0,malloc,0,100\n"));
  EXPECT_FALSE(looks_like_ltrace("v 10400 3\nx c /home/u/tiny\n"));
  EXPECT_FALSE(looks_like_ltrace("15238 strlen(\"abc\") = 3\n"));
}

}  // namespace
}  // namespace allocsim::traces
