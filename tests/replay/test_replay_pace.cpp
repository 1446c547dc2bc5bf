// Virtual time follows the trace's own clock: events happen at their
// recorded times, scaled by the recorder's slowdown (the untraced/traced
// wall-time ratio a native trace carries) or by the time_scale knob; a
// trace without times advances event_cost_ns per event.
#include "tests/replay/replay_test_support.hpp"
#include "tests/traces/trace_support.hpp"

namespace allocsim::sim::testing {
namespace {

using traces::Event;
using traces::Op;

constexpr std::uint64_t kGapNs = 1'000'000;
constexpr int kPairs = 200;

// Allocation/free pairs kGapNs apart (or undated).
std::vector<Event> paced(bool dated) {
  std::vector<Event> events;
  for (int i = 0; i < kPairs; ++i) {
    const std::uint64_t t = dated ? std::uint64_t(i) * kGapNs : traces::kNoTime;
    events.push_back(Event{.time = t, .id = std::uint64_t(i), .size = 64, .op = Op::Malloc});
    events.push_back(Event{.time = t, .id = std::uint64_t(i), .op = Op::Free});
  }
  return events;
}

Metrics run(traces::testing::VectorReader& reader, std::vector<std::string> sets = {}) {
  sets.push_back("drain_ns=0");  // the replay ends with its last event
  return replay(reader, request_for("pace", "adaptive", ReplayMode::Virtual, sets));
}

std::uint64_t last_event_ns() { return std::uint64_t(kPairs - 1) * kGapNs; }

TEST(ReplayPace, EventsHappenAtTheirRecordedTimes) {
  traces::testing::VectorReader reader(paced(true));
  const Metrics m = run(reader);
  ASSERT_TRUE(m.summary.virtual_time_ns);
  EXPECT_GE(*m.summary.virtual_time_ns, last_event_ns());
  EXPECT_LT(*m.summary.virtual_time_ns, last_event_ns() + kGapNs);
  EXPECT_EQ(m.run.time_scale, 1.0);
}

TEST(ReplayPace, TheRecordersSlowdownIsDividedOut) {
  traces::testing::VectorReader reader(paced(true));
  reader.info_.traced_wall_ns = 400'000'000;  // four times slower under the recorder
  reader.info_.untraced_wall_ns = 100'000'000;
  const Metrics m = run(reader);
  EXPECT_EQ(m.run.time_scale, 0.25);
  EXPECT_GE(*m.summary.virtual_time_ns, last_event_ns() / 4);
  EXPECT_LT(*m.summary.virtual_time_ns, last_event_ns() / 4 + kGapNs / 4);
}

// A recorder cannot speed a program up: when the untraced run took longer
// than the recorded span (start-up dominates a short program), the
// recorded times are kept.
TEST(ReplayPace, AnUntracedRunSlowerThanTheRecordingKeepsTheRecordedTimes) {
  traces::testing::VectorReader reader(paced(true));
  reader.info_.traced_wall_ns = 1'000'000;
  reader.info_.untraced_wall_ns = 3'000'000;
  const Metrics m = run(reader);
  EXPECT_EQ(m.run.time_scale, 1.0);
  EXPECT_GE(*m.summary.virtual_time_ns, last_event_ns());
}

TEST(ReplayPace, TheKnobOverridesTheTracesRatio) {
  traces::testing::VectorReader reader(paced(true));
  reader.info_.traced_wall_ns = 400'000'000;
  reader.info_.untraced_wall_ns = 100'000'000;
  const Metrics m = run(reader, {"time_scale=2"});
  EXPECT_EQ(m.run.time_scale, 2.0);
  EXPECT_GE(*m.summary.virtual_time_ns, 2 * last_event_ns());
}

TEST(ReplayPace, UndatedEventsAreEventCostApart) {
  traces::testing::VectorReader reader(paced(false));
  const Metrics m = run(reader, {"event_cost_ns=1000"});
  // 2 events per pair, the first at time 0.
  EXPECT_GE(*m.summary.virtual_time_ns, (2 * kPairs - 1) * 1000u);
  EXPECT_LT(*m.summary.virtual_time_ns, 2 * kPairs * 1000u + 1'000'000);
}

// The pace decides what the collector can do between events: the same
// trace squeezed 1000-fold gives the collector no time to refill.
TEST(ReplayPace, AFasterPaceFallsBackMore) {
  traces::testing::VectorReader slow_reader(paced(true)), fast_reader(paced(true));
  const Metrics slow = run(slow_reader, {"prefill=none"});
  const Metrics fast = run(fast_reader, {"prefill=none", "time_scale=0.0001"});
  ASSERT_TRUE(slow.summary.fallback_allocations && fast.summary.fallback_allocations);
  EXPECT_LT(*slow.summary.fallback_allocations, *fast.summary.fallback_allocations);
}

}  // namespace
}  // namespace allocsim::sim::testing
