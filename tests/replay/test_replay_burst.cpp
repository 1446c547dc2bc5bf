// The adaptive policy against a fixed queue under allocation bursts, in
// virtual time: bursts outrun the collector, so threads fall back; the
// adaptive queue grows toward what the bursts need and falls back less
// than a fixed one, and after the bursts end it reclaims.
#include "tests/replay/replay_test_support.hpp"
#include "tests/traces/trace_support.hpp"

namespace allocsim::sim::testing {
namespace {

using traces::Event;
using traces::Op;

constexpr std::uint64_t kBurstSize = 40;  // chunk class of 48 bytes
constexpr int kBursts = 50;
constexpr std::uint64_t kBurstObjects = 200;
constexpr std::uint64_t kCycleNs = 2'000'000;

struct BurstTrace {
  std::vector<Event> events;
  std::uint64_t bursts_end_ns = 0;
};

// Each cycle: 200 allocations 300 ns apart (a burst several times longer
// than the collector's wake-up latency, far faster than it refills), then
// quiet, then their frees 50 ns apart, then quiet. After the bursts, a slow tail of other-sized churn keeps
// waking the collector, which then finds the burst class's queue full.
BurstTrace burst_trace() {
  BurstTrace t;
  std::uint64_t id = 0;
  auto add = [&](Op op, std::uint64_t obj, std::uint64_t size, std::uint64_t time) {
    Event e;
    e.op = op;
    e.id = obj;
    e.size = size;
    e.time = time;
    t.events.push_back(e);
  };
  for (int b = 0; b < kBursts; ++b) {
    std::uint64_t time = b * kCycleNs;
    const std::uint64_t first = id;
    for (std::uint64_t i = 0; i < kBurstObjects; ++i, time += 300) add(Op::Malloc, id++, kBurstSize, time);
    time = b * kCycleNs + kCycleNs / 2;
    for (std::uint64_t i = 0; i < kBurstObjects; ++i, time += 50) add(Op::Free, first + i, 0, time);
    t.bursts_end_ns = time;
  }
  for (std::uint64_t i = 0, time = kBursts * kCycleNs; i < 3000; ++i, time += 20'000) {
    add(Op::Malloc, id, 1000, time);
    add(Op::Free, id++, 0, time + 10'000);
  }
  return t;
}

Metrics run(const std::string& policy, const BurstTrace& trace) {
  traces::testing::VectorReader reader(trace.events);
  return replay(reader, request_for("burst", policy, ReplayMode::Virtual, {"queue_initial=16"}));
}

const ClassMetrics& burst_class(const Metrics& m) {
  for (const auto& c : m.classes)
    if (c.chunk_bytes == 48) return c;
  throw std::logic_error("no 48-byte class among " + std::to_string(m.classes.size()) + " (backend " + m.run.backend + ", mode " + m.run.mode + ")");
}

TEST(ReplayBurst, AdaptiveGrowsTheQueueWhereFixedFallsBack) {
  const BurstTrace trace = burst_trace();
  const Metrics adaptive = run("adaptive", trace);
  const Metrics fixed = run("fixed-queue", trace);
  const ClassMetrics& a = burst_class(adaptive);
  const ClassMetrics& f = burst_class(fixed);
  ASSERT_TRUE(*adaptive.summary.check_ok && *fixed.summary.check_ok);

  // Both fall back under the bursts; the fixed queue never moves.
  EXPECT_GT(f.fallbacks, 0u);
  EXPECT_GT(a.fallbacks, 0u);
  EXPECT_EQ(f.peak_target, 16u);
  EXPECT_EQ(f.grow_events, 0u);
  // The adaptive queue grows toward the burst and falls back clearly less.
  EXPECT_GT(a.grow_events, 0u);
  EXPECT_GT(a.peak_target, 40u);
  EXPECT_LT(a.fallbacks * 4, f.fallbacks * 3) << "adaptive " << a.fallbacks << " fixed " << f.fallbacks;
  EXPECT_EQ(a.allocations, kBursts * kBurstObjects);
  EXPECT_EQ(*a.cache_hits + *a.queue_hits + a.fallbacks, a.allocations);
}

TEST(ReplayBurst, AdaptiveReclaimsAfterTheBurstsEnd) {
  const BurstTrace trace = burst_trace();
  const Metrics m = run("adaptive", trace);
  const ClassMetrics& c = burst_class(m);
  EXPECT_GT(c.reclaim_events, 0u);
  EXPECT_LT(c.target, c.peak_target);
  bool reclaimed_after = false;
  for (const auto& e : m.events.entries)
    if (e.kind == "queue_reclaim" && e.size_class == c.index && e.time_ns > trace.bursts_end_ns) reclaimed_after = true;
  EXPECT_TRUE(reclaimed_after);
  // The timeline shows the target moving for that class.
  const auto& targets = m.timeline.queue_targets;
  ASSERT_FALSE(targets.empty());
  std::uint64_t highest = 0;
  for (const auto& row : targets) highest = std::max(highest, row.at(c.index));
  EXPECT_GT(highest, 16u);
  EXPECT_LT(targets.back().at(c.index), highest);
}

TEST(ReplayBurst, FallbacksAreLoggedAsBursts) {
  const Metrics m = run("fixed-queue", burst_trace());
  std::uint64_t logged = 0, bursts = 0;
  for (const auto& e : m.events.entries)
    if (e.kind == "fallback_burst") {
      ++bursts;
      logged += e.count;
      ASSERT_TRUE(e.end_ns.has_value());
      EXPECT_GE(*e.end_ns, e.time_ns);
    }
  EXPECT_EQ(logged, *m.summary.fallback_allocations);
  EXPECT_GE(*m.summary.fallback_bursts, static_cast<std::uint64_t>(kBursts));
  EXPECT_EQ(bursts, *m.summary.fallback_bursts);  // the last burst is closed and counted too
}

// Fallbacks the event log places in [from, to).
std::uint64_t fallbacks_between(const Metrics& m, std::uint64_t from, std::uint64_t to) {
  std::uint64_t n = 0;
  for (const auto& e : m.events.entries)
    if (e.kind == "fallback_burst" && e.time_ns >= from && e.time_ns < to) n += e.count;
  return n;
}

// Two identical bursts of 4000 allocations of one class, each object freed
// 300 allocations later (far more than the 256 chunks a queue starts
// with), 10 ms apart: less than the N + 1 = 17 intervals of 2 ms after
// which a full queue is reclaimed. "Fill it fuller than the last time and
// attempt to keep it there": the queue keeps what the first burst taught
// it, so the second falls back at most half as often.
TEST(ReplayBurst, TheSecondOfTwoBurstsFallsBackAtMostHalfAsOften) {
  std::vector<Event> events;
  std::uint64_t id = 0;
  constexpr std::uint64_t kGap = 10'000'000, kLive = 300;
  for (int burst = 0; burst < 2; ++burst) {
    std::uint64_t time = burst * kGap;
    const std::uint64_t first = id;
    for (int i = 0; i < 4000; ++i, time += 100) {
      events.push_back({.time = time, .id = id++, .size = 40, .op = Op::Malloc});
      if (id - first > kLive) events.push_back({.time = time, .id = id - kLive - 1, .op = Op::Free});
    }
    for (std::uint64_t i = id - kLive; i < id; ++i, time += 100) events.push_back({.time = time, .id = i, .op = Op::Free});
  }
  traces::testing::VectorReader reader(events);
  const Metrics m = replay(reader, request_for("two-bursts", "adaptive", ReplayMode::Virtual));
  ASSERT_TRUE(*m.summary.check_ok);
  const std::uint64_t first = fallbacks_between(m, 0, kGap), second = fallbacks_between(m, kGap, 2 * kGap);
  EXPECT_EQ(first + second, *m.summary.fallback_allocations);
  EXPECT_GT(first, 0u);
  EXPECT_LE(2 * second, first) << "first burst " << first << ", second " << second;
  EXPECT_EQ(burst_class(m).reclaim_events, 0u) << "the gap is shorter than N + 1 intervals";
}

// A collector far slower than the program: garbage piles up faster than it
// is merged. Adapting does not wait for that backlog: queues that run empty
// are grown and refilled in every step.
TEST(ReplayBurst, QueuesStillGrowWhenTheCollectorLagsBehind) {
  const BurstTrace trace = burst_trace();
  for (const char* cost : {"chunk_cost_ns=2000", "chunk_cost_ns=20000"}) {
    traces::testing::VectorReader reader(trace.events);
    const Metrics m = replay(reader, request_for("burst", "adaptive", ReplayMode::Virtual, {"queue_initial=16", cost}));
    const ClassMetrics& c = burst_class(m);
    EXPECT_GT(c.fallbacks, 0u) << cost << ": the collector does lag";
    EXPECT_GT(c.grow_events, 0u) << cost;
    EXPECT_GT(c.peak_target, 40u) << cost;
  }
}

}  // namespace
}  // namespace allocsim::sim::testing
