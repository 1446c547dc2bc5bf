// trace_stats() over hand-made event streams: every figure it reports.
#include <gtest/gtest.h>

#include "tests/traces/trace_support.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_stats.hpp"

namespace allocsim::traces {
namespace {

using testing::VectorReader;

Event alloc(std::uint64_t id, std::uint64_t size, std::uint32_t thread = 0, Op op = Op::Malloc) {
  return Event{.id = id, .size = size, .thread = thread, .op = op};
}
Event release(std::uint64_t id, std::uint32_t thread = 0) { return Event{.id = id, .thread = thread, .op = Op::Free}; }
Event resize(std::uint64_t id, std::uint64_t old_id, std::uint64_t size, std::uint32_t thread = 0) {
  return Event{.id = id, .old_id = old_id, .size = size, .thread = thread, .op = Op::Realloc};
}

TraceStats stats_of(std::vector<Event> events) {
  VectorReader reader(std::move(events));
  return trace_stats(reader);
}

TEST(TraceStats, CountsLiveBytesAndPeak) {
  const TraceStats s = stats_of({alloc(0, 100), alloc(1, 50, 1, Op::Calloc), release(0), alloc(2, 300, 0, Op::Memalign),
                                 resize(3, 1, 20, 1), release(2)});
  EXPECT_EQ(s.events, 6u);
  EXPECT_EQ(s.ops[static_cast<int>(Op::Malloc)], 1u);
  EXPECT_EQ(s.ops[static_cast<int>(Op::Calloc)], 1u);
  EXPECT_EQ(s.ops[static_cast<int>(Op::Memalign)], 1u);
  EXPECT_EQ(s.ops[static_cast<int>(Op::Realloc)], 1u);
  EXPECT_EQ(s.ops[static_cast<int>(Op::Free)], 2u);
  EXPECT_EQ(s.threads, 2u);
  EXPECT_EQ(s.allocations, 4u);
  EXPECT_EQ(s.frees, 3u);  // two frees and the realloc's old object
  EXPECT_EQ(s.allocated_bytes, 470u);
  EXPECT_EQ(s.peak_live_bytes, 350u);
  EXPECT_EQ(s.peak_event_index, 3u);
  EXPECT_EQ(s.final_live_bytes, 20u);
  EXPECT_EQ(s.final_live_blocks, 1u);
  EXPECT_EQ(s.cross_thread_frees, 0u);
  EXPECT_FALSE(s.heaptrack.has_value());
}

TEST(TraceStats, PeakIndexIsTheFirstEventReachingIt) {
  const TraceStats s = stats_of({alloc(0, 10), release(0), alloc(1, 10), alloc(2, 5), release(2)});
  EXPECT_EQ(s.peak_live_bytes, 15u);
  EXPECT_EQ(s.peak_event_index, 3u);
}

TEST(TraceStats, CrossThreadFreesCompareBirthAndDeathThreads) {
  const TraceStats s = stats_of({alloc(0, 8, 0), alloc(1, 8, 1), release(0, 1), resize(2, 1, 16, 0), release(2, 0)});
  EXPECT_EQ(s.cross_thread_frees, 2u);  // object 0 freed by 1, object 1 reallocated by 0
}

// The generic rule: a death right after its own birth.
TEST(TraceStats, AdjacentTemporaryRule) {
  const TraceStats s = stats_of({alloc(0, 8), release(0), alloc(1, 8), alloc(2, 8), release(1), resize(3, 2, 9),
                                 resize(4, 3, 10), release(4)});
  EXPECT_EQ(s.temporary_rule, TemporaryRule::Adjacent);
  EXPECT_EQ(s.temporary_allocations, 3u);  // 0, 3 (by realloc 4), 4
}

TEST(TraceStats, DeathsOfObjectsNotLiveAreUnknownFrees) {
  VectorReader reader({alloc(0, 8), release(0), release(0)});
  reader.anomalies_.add(Anomaly::UnknownFree, 7, "free(0x10)");
  const TraceStats s = trace_stats(reader);
  EXPECT_EQ(s.frees, 1u);
  EXPECT_EQ(s.unknown_frees, 2u);  // one in the stream, one the reader dropped
  EXPECT_EQ(s.anomalies.count(Anomaly::UnknownFree), 1u);
}

TEST(TraceStats, HistogramsUsePowerOfTwoBuckets) {
  const TraceStats s = stats_of({alloc(0, 0), alloc(1, 1), alloc(2, 2), alloc(3, 3), alloc(4, 4096), release(4),
                                 release(0)});
  EXPECT_EQ(s.sizes.buckets[0], 1u);   // 0
  EXPECT_EQ(s.sizes.buckets[1], 1u);   // 1
  EXPECT_EQ(s.sizes.buckets[2], 2u);   // 2..3
  EXPECT_EQ(s.sizes.buckets[13], 1u);  // 4096..8191
  EXPECT_EQ(Log2Histogram::lower(13), 4096u);
  EXPECT_EQ(Log2Histogram::upper(13), 8191u);
  EXPECT_EQ(s.lifetimes.buckets[1], 1u);  // object 4: 1 event
  EXPECT_EQ(s.lifetimes.buckets[3], 1u);  // object 0: 6 events, in 4..7
}

TEST(TraceStats, LiveBytesOverflowIsAnError) {
  EXPECT_THROW(stats_of({alloc(0, ~std::uint64_t{0}), alloc(1, 2)}), TraceError);
}

}  // namespace
}  // namespace allocsim::traces
