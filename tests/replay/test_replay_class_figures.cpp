// The per-class figures of the core backend (allocations, cache hits, queue
// hits, fallbacks) are the core's own counts, in both modes: they account
// for every allocation the replay made, and an allocation that took its
// chunk from the ready queue after the thread's assist is a queue hit.
#include "tests/replay/replay_test_support.hpp"
#include "tests/traces/trace_support.hpp"

namespace allocsim::sim::testing {
namespace {

std::uint64_t counter(const Metrics& m, const std::string& group, const std::string& name) {
  for (const CounterGroup& g : m.counters)
    if (g.name == group)
      for (const auto& [n, v] : g.values)
        if (n == name) return v;
  throw std::logic_error("no counter " + group + "." + name);
}

struct ClassTotals {
  std::uint64_t allocations = 0, cache_hits = 0, queue_hits = 0, fallbacks = 0;
};

ClassTotals totals(const Metrics& m) {
  ClassTotals t;
  for (const ClassMetrics& c : m.classes) {
    EXPECT_TRUE(c.cache_hits && c.queue_hits) << "class " << c.index << " in " << m.run.mode << " mode";
    t.allocations += c.allocations;
    t.cache_hits += c.cache_hits.value_or(0);
    t.queue_hits += c.queue_hits.value_or(0);
    t.fallbacks += c.fallbacks;
  }
  EXPECT_EQ(t.cache_hits + t.queue_hits + t.fallbacks, t.allocations);
  return t;
}

// No reallocs: every allocating event is one allocation call, served from
// a class or by a dedicated mapping.
TEST(ReplayClassFigures, EveryAllocationOfTheTraceIsInOneClassOrLarge) {
  const auto events = prodcons(6000);
  for (const ReplayMode mode : {ReplayMode::Virtual, ReplayMode::Threaded}) {
    traces::testing::VectorReader reader(events, 4);
    const Metrics m = replay(reader, request_for("prodcons", "adaptive", mode));
    const ClassTotals t = totals(m);
    EXPECT_GT(t.queue_hits, 0u) << m.run.mode;
    EXPECT_EQ(t.allocations + counter(m, "threads", "large_allocs"), m.summary.allocations - m.summary.failed_allocations)
        << m.run.mode;
  }
}

// Under `bounded` the sqlite sample makes threads assist: such allocations
// leave the queue longer than they found it (the assist refilled it), yet
// took their chunk from it.
TEST(ReplayClassFigures, AssistedAllocationsAreQueueHits) {
  const Metrics m = replay(request_for(sample_path("ht_sqlite3.zst"), "bounded", ReplayMode::Virtual));
  const std::uint64_t assisted = counter(m, "threads", "assisted");
  ASSERT_GT(assisted, 0u) << "the sample no longer makes threads assist under bounded";
  const ClassTotals t = totals(m);
  EXPECT_EQ(t.queue_hits, counter(m, "threads", "queue_refills") + assisted);
  EXPECT_EQ(t.cache_hits, counter(m, "threads", "cache_hits"));
  EXPECT_EQ(t.fallbacks, counter(m, "threads", "fallbacks"));
}

}  // namespace
}  // namespace allocsim::sim::testing
