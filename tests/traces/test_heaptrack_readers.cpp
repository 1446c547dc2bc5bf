// The heaptrack readers on hand-written files: detection, repairs, the
// temporary-allocation rule and its quirk, and file:line errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "tests/traces/trace_support.hpp"
#include "traces/heaptrack_accounting.hpp"
#include "traces/heaptrack_readers.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_stats.hpp"

namespace allocsim::traces {
namespace {

using testing::TempDir;

constexpr const char* kRawHead =
    "v 10400 3\n"
    "x 10 /opt/progs/a b c\n"  // a sized string holding spaces
    "X /opt/progs/a b c\n"
    "I 1000 5e2922\n"
    "m 1 -\n"
    "m 12 /lib/with space.so 7f76569e8000 0 25388 26000 1550fc\n"
    "t 56391a9f022b 0\n"
    "t 56391a9f023e 1\n";

constexpr const char* kInterpretedHead =
    "v 10400 3\n"
    "X ./prog\n"
    "I 1000 5e2922\n"
    "s 9 main file\n"
    "i 56391a9f022b 1 1 1 f\n"
    "t 1 0\n"
    "t 1 1\n";

// The error a file raises, or "" when it reads cleanly.
std::string error_of(const std::string& path, const ReadOptions& options = {}) {
  try {
    testing::read_all(path, options);
  } catch (const TraceError& e) {
    return e.what();
  }
  return "";
}

TEST(HeaptrackDetect, TellsRawFromInterpreted) {
  EXPECT_EQ(sniff_heaptrack(kRawHead), HeaptrackKind::Raw);
  EXPECT_EQ(sniff_heaptrack(kInterpretedHead), HeaptrackKind::Interpreted);
  EXPECT_EQ(sniff_heaptrack("v 10400 3\nt 1 0\n+ 10 1 5000\n"), HeaptrackKind::Raw);
  EXPECT_EQ(sniff_heaptrack("v 10400 3\nt 1 0\n+ 0\n"), HeaptrackKind::Interpreted);
  EXPECT_EQ(sniff_heaptrack("v 10400 3\nI 1000 1\n"), HeaptrackKind::Unknown);
  EXPECT_EQ(sniff_heaptrack("0,malloc,0,16\n"), HeaptrackKind::NotHeaptrack);
}

TEST(HeaptrackDetect, OpenTraceSniffsBothKindsThroughCompression) {
  TempDir dir;
  const std::string raw = dir.write("a.raw.zst", testing::zstd_compress(std::string(kRawHead) + "+ 10 1 5000\n"));
  const std::string interp = dir.write("a.gz", testing::gzip_compress(std::string(kInterpretedHead) + "a 10 1\n+ 0\n"));
  EXPECT_EQ(open_trace(raw)->info().format, Format::HeaptrackRaw);
  EXPECT_EQ(open_trace(interp)->info().format, Format::HeaptrackInterpreted);
}

TEST(HeaptrackRaw, ReuseOfALivePointerEndsTheOldLifetime) {
  TempDir dir;
  const std::string path = dir.write("race.raw", std::string(kRawHead) +
                                                     "+ 10 1 5000\n"
                                                     "+ 20 2 5000\n"  // another thread got the block first
                                                     "- 5000\n"
                                                     "- 6000\n");  // never allocated
  auto reader = open_trace(path);
  const auto events = testing::drain(*reader);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0], (Event{.id = 0, .size = 0x10, .op = Op::Malloc}));
  EXPECT_EQ(events[1], (Event{.id = 0, .op = Op::Free}));
  EXPECT_EQ(events[2], (Event{.id = 1, .size = 0x20, .op = Op::Malloc}));
  EXPECT_EQ(events[3], (Event{.id = 1, .op = Op::Free}));
  EXPECT_EQ(reader->anomalies().count(Anomaly::LiveReuse), 1u);
  EXPECT_EQ(reader->anomalies().count(Anomaly::UnknownFree), 1u);
  EXPECT_EQ(reader->anomalies().samples[static_cast<int>(Anomaly::UnknownFree)][0].line, 12u);
  EXPECT_EQ(reader->info().page_size, 4096u);
  EXPECT_EQ(reader->info().threads, 1u);
}

TEST(HeaptrackRaw, StrictMakesRepairsErrors) {
  TempDir dir;
  const std::string path = dir.write("unknown.raw", std::string(kRawHead) + "- 6000\n");
  ReadOptions strict;
  strict.strict = true;
  EXPECT_EQ(error_of(path), "");
  EXPECT_NE(error_of(path, strict).find("unknown.raw:9: free of a pointer that is not live"), std::string::npos)
      << error_of(path, strict);
}

// heaptrack's rule: a `-` is temporary when the previous +/- record was a
// `+` of the same allocation-info index; after every `-` the remembered
// index is 0, so a `- 0` right after another `-` counts as well.
TEST(HeaptrackInterpreted, TemporaryRuleKeepsHeaptracksQuirk) {
  TempDir dir;
  const std::string path = dir.write("temp.txt", std::string(kInterpretedHead) +
                                                     "a 10 1\n"  // index 0
                                                     "a 20 2\n"  // index 1
                                                     "+ 0\n+ 0\n"
                                                     "- 0\n"     // previous was `+ 0`: temporary
                                                     "- 0\n"     // previous was `-`, remembered 0: temporary (quirk)
                                                     "+ 1\n+ 0\n"
                                                     "- 1\n");   // previous was `+ 0`: not temporary
  auto reader = open_trace(path);
  const TraceStats s = trace_stats(*reader);
  EXPECT_EQ(s.temporary_allocations, 2u);
  EXPECT_EQ(s.peak_live_bytes, 0x30u);
  EXPECT_EQ(s.final_live_bytes, 0x10u);
}

TEST(HeaptrackInterpreted, FreeOrderChoosesTheMemberOfAClass) {
  TempDir dir;
  const std::string path = dir.write("order.txt", std::string(kInterpretedHead) + "a 10 1\n+ 0\n+ 0\n+ 0\n- 0\n");
  ReadOptions fifo;
  fifo.interpreted_free = ReadOptions::FreeChoice::Fifo;
  EXPECT_EQ(testing::read_all(path).back().id, 2u);      // LIFO: the youngest
  EXPECT_EQ(testing::read_all(path, fifo).back().id, 0u);  // FIFO: the oldest
}

TEST(HeaptrackInterpreted, FreeOfAnEmptyClassIsAnUnknownFree) {
  TempDir dir;
  const std::string path = dir.write("empty.txt", std::string(kInterpretedHead) + "a 10 1\n+ 0\n- 0\n- 0\n");
  auto reader = open_trace(path);
  EXPECT_EQ(testing::drain(*reader).size(), 2u);
  EXPECT_EQ(reader->anomalies().count(Anomaly::UnknownFree), 1u);
}

TEST(HeaptrackInterpreted, TimeAndRssLines) {
  TempDir dir;
  const std::string path = dir.write("rss.txt", std::string(kInterpretedHead) + "c 5\nR 10\nc 2a\nR 3\n# note\n\n");
  auto reader = open_trace(path);
  testing::drain(*reader);
  EXPECT_EQ(reader->info().runtime_ms, 0x2bu);
  EXPECT_EQ(reader->info().peak_rss_bytes, 0x10u * 0x1000u);
}

// heaptrack dates nothing but writes `c <ms>` ticks: the events between two
// ticks are spread evenly over that interval, those after the last tick
// over one more tick period.
TEST(HeaptrackRaw, TicksPlaceTheEventsBetweenThem) {
  TempDir dir;
  const std::string path = dir.write("ticks.raw", std::string(kRawHead) +
                                                      "c 1\n"
                                                      "+ 10 1 5000\n+ 20 1 6000\n- 5000\n"
                                                      "c 3\n"
                                                      "+ 30 1 7000\n");
  auto reader = open_trace(path);
  const auto events = testing::drain(*reader);
  ASSERT_EQ(events.size(), 4u);
  const double third = 2e6 / 3;  // ns: 3 events in the 2 ms from tick 1 to tick 3
  EXPECT_NEAR(double(events[0].time), 1e6 + 0.5 * third, 1);
  EXPECT_NEAR(double(events[1].time), 1e6 + 1.5 * third, 1);
  EXPECT_NEAR(double(events[2].time), 1e6 + 2.5 * third, 1);
  EXPECT_EQ(events[3].time, 4'000'000u) << "the middle of one more 2 ms period";
  EXPECT_TRUE(reader->info().has_time);
}

TEST(HeaptrackRaw, WithoutTicksEventsHaveNoTime) {
  TempDir dir;
  const std::string path = dir.write("undated.raw", std::string(kRawHead) + "+ 10 1 5000\n- 5000\n");
  auto reader = open_trace(path);
  for (const Event& e : testing::drain(*reader)) EXPECT_EQ(e.time, kNoTime);
  EXPECT_FALSE(reader->info().has_time);
}

TEST(HeaptrackSamples, TruncatedOrCorruptRecordingIsAnErrorWithOffset) {
  TempDir dir;
  const std::string whole = testing::read_file(testing::sample("ht_sqlite3.raw.zst"));
  std::string corrupt = whole;
  for (std::size_t i = whole.size() / 2; i < whole.size() / 2 + 32; ++i) corrupt[i] = static_cast<char>(~corrupt[i]);
  for (const std::string& bytes : {whole.substr(0, whole.size() / 2), corrupt}) {
    const std::string path = dir.write("damaged.raw.zst", bytes);
    try {
      testing::read_all(path);
      FAIL() << "no error";
    } catch (const TraceError& e) {
      EXPECT_EQ(e.where(), TraceError::Where::Offset) << e.what();
      EXPECT_GT(e.position(), 0u);
      EXPECT_LE(e.position(), bytes.size());
      EXPECT_EQ(std::string(e.what()).rfind(path + ": byte ", 0), 0u) << e.what();
    }
  }
}

struct BadLine {
  const char* head;
  const char* line;
  const char* reason;
};

class HeaptrackBadLine : public ::testing::TestWithParam<BadLine> {};

TEST_P(HeaptrackBadLine, IsAFileLineError) {
  TempDir dir;
  const BadLine& b = GetParam();
  const std::string path = dir.write("bad.txt", std::string(b.head) + b.line + "\n+ 0\n");
  const std::string error = error_of(path);
  const std::string where = path + ":" + std::to_string(std::count(b.head, b.head + std::strlen(b.head), '\n') + 1) + ": ";
  EXPECT_EQ(error.rfind(where, 0), 0u) << error;
  EXPECT_NE(error.find(b.reason), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HeaptrackBadLine,
    ::testing::Values(BadLine{kRawHead, "+ 10 1", "missing field"},
                      BadLine{kRawHead, "+ 10 1 50 7", "unexpected text"},
                      BadLine{kRawHead, "+ 10 9 5000", "trace node 9 is not defined"},
                      BadLine{kRawHead, "+ 1ffffffffffffffff 1 5000", "does not fit in 64 bits"},
                      BadLine{kRawHead, "+ fffffffffffffff 1 5000", "larger than any address space"},
                      BadLine{kRawHead, "- 0x5000", "expected a lowercase hex number"},
                      BadLine{kRawHead, "- ", "missing field"},
                      BadLine{kRawHead, "x 40 short", "runs past the end"},
                      BadLine{kRawHead, "Q 1 2", "unknown heaptrack record type 'Q'"},
                      BadLine{kRawHead, "+10 1 5000", "record type character and a space"},
                      BadLine{kRawHead, "a 10 1", "unknown heaptrack record type 'a'"},
                      BadLine{kInterpretedHead, "+ 0", "allocation info 0 is not defined"},
                      BadLine{kInterpretedHead, "a 10", "missing field"},
                      BadLine{kInterpretedHead, "a 10 1 2", "unexpected text"},
                      BadLine{kInterpretedHead, "s 20 short", "runs past the end"},
                      BadLine{kInterpretedHead, "t 1 7", "parent trace node 7"},
                      BadLine{kInterpretedHead, "m 1 -", "unknown heaptrack record type 'm'"},
                      BadLine{kInterpretedHead, "c zz", "expected a lowercase hex number"},
                      BadLine{kInterpretedHead, "v 10500 4", "file format 4 is newer"},
                      BadLine{kInterpretedHead, "\x01 1", "byte 0x01"}));

}  // namespace
}  // namespace allocsim::traces
