// Threaded replay with real threads and cross-thread frees, small enough
// to run under ThreadSanitizer (tests named "Concurrent" run there too).
#include <mutex>
#include <thread>

#include "sim/replay/engines.hpp"
#include "tests/replay/replay_test_support.hpp"
#include "tests/traces/trace_support.hpp"
#include "traces/generators.hpp"

namespace allocsim::sim::testing {
namespace {

std::vector<traces::Event> prodcons(std::uint64_t events) {
  traces::GeneratorOptions g;
  g.shape = traces::Shape::ProdCons;
  g.threads = 4;
  g.events = events;
  g.seed = 11;
  g.queue_depth = 64;
  g.realloc_percent = 0;
  g.memalign_percent = 10;
  g.calloc_percent = 10;
  return traces::generate_events(g, traces::SizeDistribution::power_law());
}

std::uint64_t final_live(const std::vector<traces::Event>& events) {
  traces::testing::VectorReader reader(events, 4);
  return traces::trace_stats(reader).final_live_bytes;
}

TEST(ReplayConcurrent, CrossThreadFreesWaitForTheirAllocations) {
  const auto events = prodcons(4000);
  for (const BackendKind backend : {BackendKind::Core, BackendKind::System}) {
    traces::testing::VectorReader reader(events, 4);
    ReplayRequest r = request_for("prodcons", "adaptive", ReplayMode::Threaded, {"queue_events=16", "touch=all"});
    r.backend = backend;
    const Metrics m = replay(reader, r);
    EXPECT_EQ(m.summary.events, events.size());
    EXPECT_EQ(m.summary.final_live_bytes, final_live(events));
    EXPECT_EQ(m.throughput->operations, m.latency->samples);
    if (backend == BackendKind::Core) {
      EXPECT_TRUE(m.summary.check_ok.value_or(false)) << m.summary.check_report.value_or("");
    }
  }
}

TEST(ReplayConcurrent, EveryPolicyKeepsTheHeapConsistent) {
  const auto events = prodcons(2000);
  for (const auto& policy : policies()) {
    traces::testing::VectorReader reader(events, 4);
    const Metrics m = replay(reader, request_for("prodcons", policy, ReplayMode::Threaded, {"touch=first"}));
    EXPECT_TRUE(m.summary.check_ok.value_or(false)) << policy << ": " << m.summary.check_report.value_or("");
    EXPECT_EQ(m.summary.final_live_bytes, final_live(events)) << policy;
  }
}

// A backend whose first allocation takes far longer than the stall
// timeout. Its blocks live until the backend dies (an aborted replay
// leaves objects behind, and the leak checker must not mind).
class StuckBackend final : public Backend {
 public:
  class Thread final : public BackendThread {
   public:
    explicit Thread(StuckBackend& b) : b_(b) {}
    void* allocate(traces::Op, std::uint64_t size, std::uint32_t) override {
      if (b_.first_.exchange(false)) std::this_thread::sleep_for(std::chrono::milliseconds(400));
      return b_.block(size);
    }
    void* reallocate(void*, std::uint64_t, std::uint64_t size) override { return b_.block(size); }
    void deallocate(void*) override {}

   private:
    StuckBackend& b_;
  };
  std::string name() const override { return "stuck"; }
  AllocatorIdentity identity() const override { return {"stuck", "0"}; }
  std::unique_ptr<BackendThread> attach_thread() override { return std::make_unique<Thread>(*this); }
  bool releases_everything() const override { return true; }
  std::uint64_t footprint() override { return 0; }
  std::string footprint_source() const override { return "none"; }
  bool footprint_is_cheap() const override { return true; }

 private:
  void* block(std::uint64_t size) {
    std::lock_guard lock(mutex_);
    blocks_.push_back(std::make_unique<char[]>(size ? size : 1));
    return blocks_.back().get();
  }
  std::atomic<bool> first_{true};
  std::mutex mutex_;
  std::vector<std::unique_ptr<char[]>> blocks_;
};

TEST(ReplayConcurrent, AStalledReplayIsReportedNotHung) {
  const auto events = prodcons(2000);
  traces::testing::VectorReader reader(events, 4);
  const ReplayRequest r = request_for("prodcons", "adaptive", ReplayMode::Threaded, {"stall_timeout_ms=50", "queue_events=16"});
  StuckBackend backend;
  EventRecorder recorder(10, 1000);
  Progress progress(false, reader);
  Metrics m;
  try {
    run_threaded(reader, r, backend, recorder, progress, m);
    FAIL() << "no ReplayError";
  } catch (const ReplayError& e) {
    EXPECT_NE(std::string(e.what()).find("no progress for 50 ms"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace allocsim::sim::testing
