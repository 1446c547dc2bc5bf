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
  return replay(reader, request_for("burst", policy, ReplayMode::Virtual, {"queue_initial=16", "reclaim_after=40"}));
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
  EXPECT_GT(a.grow_events, 5u);
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

}  // namespace
}  // namespace allocsim::sim::testing
