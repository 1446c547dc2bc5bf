// What a threaded replay says about the host it ran on: whether its
// threads and the collector had a CPU each, and the collector's share.
#include <thread>

#include "tests/replay/replay_test_support.hpp"
#include "tests/traces/trace_support.hpp"

namespace allocsim::sim::testing {
namespace {

using traces::Event;
using traces::Op;

std::vector<Event> threads_allocating(std::uint32_t threads) {
  std::vector<Event> events;
  std::uint64_t id = 0;
  for (int round = 0; round < 100; ++round)
    for (std::uint32_t t = 0; t < threads; ++t) {
      events.push_back(Event{.id = id, .size = 48, .thread = t, .op = Op::Malloc});
      events.push_back(Event{.id = id++, .thread = t, .op = Op::Free});
    }
  return events;
}

TEST(ReplayHost, ThreadedSaysWhetherTheThreadsHadACpuEach) {
  const unsigned cpus = std::thread::hardware_concurrency();
  for (const std::uint32_t threads : {1u, cpus + 1}) {
    traces::testing::VectorReader reader(threads_allocating(threads), threads);
    const Metrics m = replay(reader, request_for("host", "adaptive", ReplayMode::Threaded));
    ASSERT_TRUE(m.host.oversubscribed) << threads;
    EXPECT_EQ(*m.host.oversubscribed, threads + 1 > cpus) << threads << " threads and the collector on " << cpus;
    ASSERT_TRUE(m.host.collector_cpu_share);
    EXPECT_GE(*m.host.collector_cpu_share, 0.0);
  }
}

TEST(ReplayHost, VirtualModeHasNoHostScheduling) {
  traces::testing::VectorReader reader(threads_allocating(8), 8);
  const Metrics m = replay(reader, request_for("host", "adaptive", ReplayMode::Virtual));
  EXPECT_FALSE(m.host.oversubscribed);
  EXPECT_FALSE(m.host.collector_cpu_share);
}

}  // namespace
}  // namespace allocsim::sim::testing
