// Golden tests of the ltrace line shapes (traces/ltrace_line.hpp), one per
// shape listed in traces/ltrace_line.hpp, on lines taken from real recordings.
#include <gtest/gtest.h>

#include "traces/ltrace_line.hpp"

namespace allocsim::traces {
namespace {

using Kind = LtraceLine::Kind;
using ClockKind = LtraceClock::Kind;

constexpr std::uint64_t kSec = 1'000'000'000;

TEST(LtraceLine, SymbolModeCallWithPidTimeOfDayAndDuration) {
  const LtraceLine l = parse_ltrace_line("15238 03:13:27.417238 malloc@libc.so.6(100)      = 0x55868f7532a0 <0.000115>");
  EXPECT_EQ(l.kind, Kind::Call);
  EXPECT_TRUE(l.has_pid);
  EXPECT_EQ(l.pid, 15238u);
  EXPECT_EQ(l.clock.kind, ClockKind::TimeOfDay);
  EXPECT_EQ(l.clock.ns, ((3 * 60 + 13) * 60 + 27) * kSec + 417238000);
  EXPECT_EQ(l.function, "malloc");
  EXPECT_EQ(l.caller, "");
  EXPECT_EQ(l.args, "100");
  EXPECT_EQ(l.ret, "0x55868f7532a0");
  EXPECT_FALSE(l.split);
}

TEST(LtraceLine, PltModeCallWithBracketPid) {
  const LtraceLine l = parse_ltrace_line("[pid 15236] 03:13:21.660951 libsqlite3.so.0->malloc(48) = 0x55ffa67ae2a0 <0.000611>");
  EXPECT_EQ(l.kind, Kind::Call);
  EXPECT_EQ(l.pid, 15236u);
  EXPECT_EQ(l.caller, "libsqlite3.so.0");
  EXPECT_EQ(l.function, "malloc");
  EXPECT_EQ(l.args, "48");
  EXPECT_EQ(l.ret, "0x55ffa67ae2a0");
}

TEST(LtraceLine, EpochClock) {
  const LtraceLine l = parse_ltrace_line("15230 1795662800.225510 malloc@libc.so.6(64)     = 0x5599ee664eb0 <0.000083>");
  EXPECT_EQ(l.clock.kind, ClockKind::Epoch);
  EXPECT_EQ(l.clock.ns, 1795662800 * kSec + 225510000);
  EXPECT_EQ(l.pid, 15230u);
}

TEST(LtraceLine, SecondsClockAndNoPrefix) {
  const LtraceLine l = parse_ltrace_line("03:13:27 free@libc.so.6(0x55868f753b30) = <void>");
  EXPECT_FALSE(l.has_pid);
  EXPECT_EQ(l.clock.kind, ClockKind::TimeOfDay);
  EXPECT_EQ(l.clock.ns, ((3 * 60 + 13) * 60 + 27) * kSec);
  EXPECT_EQ(l.function, "free");
  EXPECT_EQ(l.args, "0x55868f753b30");
  EXPECT_EQ(l.ret, "<void>");
}

TEST(LtraceLine, BareCallWithoutAnything) {
  const LtraceLine l = parse_ltrace_line("calloc(10, 8) = 0x1000");
  EXPECT_EQ(l.kind, Kind::Call);
  EXPECT_FALSE(l.has_pid);
  EXPECT_EQ(l.clock.kind, ClockKind::None);
  EXPECT_EQ(l.args, "10, 8");
  EXPECT_EQ(l.ret, "0x1000");
}

TEST(LtraceLine, EpochClockWithoutPid) {
  const LtraceLine l = parse_ltrace_line("1795662800.225510 malloc@libc.so.6(64) = 0x10");
  EXPECT_FALSE(l.has_pid);
  EXPECT_EQ(l.clock.kind, ClockKind::Epoch);
}

TEST(LtraceLine, PidWithoutClock) {
  const LtraceLine l = parse_ltrace_line("15238 malloc@libc.so.6(64) = 0x10");
  EXPECT_TRUE(l.has_pid);
  EXPECT_EQ(l.clock.kind, ClockKind::None);
  EXPECT_EQ(l.function, "malloc");
}

TEST(LtraceLine, UnfinishedAndNoReturn) {
  LtraceLine l = parse_ltrace_line("15231 1795662800.231708 free@libc.so.6(0x7fa1c0000900 <unfinished ...>");
  EXPECT_EQ(l.kind, Kind::Call);
  EXPECT_TRUE(l.split);
  EXPECT_EQ(l.args, "0x7fa1c0000900");
  EXPECT_EQ(l.ret, "");
  l = parse_ltrace_line("15233 1795662800.932638 malloc@libc.so.6(504 <no return ...>");
  EXPECT_TRUE(l.split);
  EXPECT_EQ(l.args, "504");
  l = parse_ltrace_line("10498 1795662800.226825 posix_memalign@libc.so.6( <unfinished ...>");
  EXPECT_TRUE(l.split);
  EXPECT_EQ(l.function, "posix_memalign");
  EXPECT_EQ(l.args, "");
}

TEST(LtraceLine, Resumed) {
  LtraceLine l = parse_ltrace_line("15233 1795662800.232251 <... malloc resumed> )   = 0x7fa1c0000900 <0.000155>");
  EXPECT_EQ(l.kind, Kind::Resumed);
  EXPECT_EQ(l.function, "malloc");
  EXPECT_EQ(l.args, "");
  EXPECT_EQ(l.ret, "0x7fa1c0000900");
  l = parse_ltrace_line("10498 1795662800.227177 <... posix_memalign resumed> 0x7f2a7400b340, 64, 517) = 0 <0.000332>");
  EXPECT_EQ(l.kind, Kind::Resumed);
  EXPECT_EQ(l.args, "0x7f2a7400b340, 64, 517");
  EXPECT_EQ(l.ret, "0");
  l = parse_ltrace_line("15230 1795662800.227555 <... free resumed> )     = <void> <0.000209>");
  EXPECT_EQ(l.ret, "<void>");
}

TEST(LtraceLine, ProcessEnds) {
  EXPECT_EQ(parse_ltrace_line("15239 03:13:27.418814 +++ exited (status 0) +++").kind, Kind::ProcessEnd);
  const LtraceLine l = parse_ltrace_line("[pid 77] +++ killed by SIGSEGV +++");
  EXPECT_EQ(l.kind, Kind::ProcessEnd);
  EXPECT_EQ(l.pid, 77u);
}

TEST(LtraceLine, LinesWithoutEvents) {
  for (const char* text : {
           "15232 1795662801.036843 unexpected breakpoint at 0x5599eb8ad804",
           "15232 1795662801.036843 --- SIGUSR1 (User defined signal 1) ---",
           "--- SIGCHLD (Child exited) ---",
           "consumer sum 123",
           "0x55ffa67ae2a0 0x7f",
           "",
           "15238 ",
           "malloc@libc.so.6(100) =",
           "malloc@libc.so.6(100 = 0x10",
           "<... malloc resumed",
           "+++ something +++",
       }) {
    EXPECT_EQ(parse_ltrace_line(text).kind, Kind::Other) << text;
  }
}

TEST(LtraceLine, DurationSuffixOnlyWhenWellFormed) {
  // "<void>" is a return value, not a -T duration.
  EXPECT_EQ(parse_ltrace_line("free(0x10) = <void>").ret, "<void>");
  EXPECT_EQ(parse_ltrace_line("free(0x10) = <void> <12.5>").ret, "<void>");
}

TEST(LtraceLine, NestedIndentationIsAccepted) {
  const LtraceLine l = parse_ltrace_line("15238 03:13:27.417730   malloc@libc.so.6(50) = 0x55868f753af0");
  EXPECT_EQ(l.kind, Kind::Call);
  EXPECT_EQ(l.function, "malloc");
}

TEST(LtraceClock, RejectsMalformedTimes) {
  LtraceClock c;
  EXPECT_FALSE(parse_ltrace_clock("25:00:00.000000", c));
  EXPECT_FALSE(parse_ltrace_clock("03:13:27.", c));
  EXPECT_FALSE(parse_ltrace_clock("03:13:27.1234567890", c));
  EXPECT_FALSE(parse_ltrace_clock("1795662800", c));
  EXPECT_FALSE(parse_ltrace_clock("99999999999999999999.1", c));
  EXPECT_TRUE(parse_ltrace_clock("23:59:59.999999", c));
  EXPECT_EQ(c.ns, 86399 * kSec + 999999000);
}

}  // namespace
}  // namespace allocsim::traces
