// Threaded replay with real threads and cross-thread frees, small enough
// to run under ThreadSanitizer (tests named "Concurrent" run there too).
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "sim/replay/engines.hpp"
#include "tests/replay/replay_test_support.hpp"
#include "tests/traces/trace_support.hpp"

namespace allocsim::sim::testing {
namespace {

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

// A backend whose allocation of kStuckSize blocks until the replay gives
// up: it returns once another replay thread's BackendThread is destroyed,
// which happens only when the replay aborts (see stuck_trace). The wait is
// bounded so that a replay that never gives up fails instead of hanging.
// Its blocks live until the backend dies (an aborted replay leaves objects
// behind, and the leak checker must not mind).
constexpr std::uint64_t kStuckSize = 777;

class StuckBackend final : public Backend {
 public:
  class Thread final : public BackendThread {
   public:
    explicit Thread(StuckBackend& b) : b_(b) {}
    ~Thread() override { b_.release(); }
    void* allocate(traces::Op, std::uint64_t size, std::uint32_t) override {
      if (size == kStuckSize) b_.wait_for_release();
      return b_.block(size);
    }
    void* reallocate(void*, std::uint64_t, std::uint64_t size) override { return b_.block(size); }
    void deallocate(void*) override {}

   private:
    StuckBackend& b_;
  };
  StuckBackend() {
    traits_.name = "stuck";
    traits_.identity = {"stuck", "0"};
    traits_.footprint_source = "none";
    traits_.footprint_is_cheap = true;
    traits_.releases_everything = true;
  }
  const BackendTraits& traits() const override { return traits_; }
  std::unique_ptr<BackendThread> attach_thread() override { return std::make_unique<Thread>(*this); }
  std::uint64_t footprint() override { return 0; }
  BackendSnapshot snapshot(BackendSnapshot::Detail) override { return {}; }
  bool released_in_time() const { return released_in_time_; }

 private:
  void* block(std::uint64_t size) {
    std::lock_guard lock(mutex_);
    blocks_.push_back(std::make_unique<char[]>(size ? size : 1));
    return blocks_.back().get();
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_cv_.notify_all();
  }
  void wait_for_release() {
    std::unique_lock lock(mutex_);
    released_in_time_ = released_cv_.wait_for(lock, std::chrono::seconds(60), [&] { return released_; });
  }
  BackendTraits traits_;
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false, released_in_time_ = false;
  std::vector<std::unique_ptr<char[]>> blocks_;
};

// Thread 1 allocates once and then waits for events that never come; thread
// 0 gets stuck on its second allocation with far more events behind it than
// its queue holds, so the dispatcher blocks and no queue is ever closed:
// thread 1's BackendThread dies only when the replay aborts.
std::vector<traces::Event> stuck_trace() {
  std::vector<traces::Event> events;
  auto malloc = [&](std::uint32_t thread, std::uint64_t size) {
    traces::Event e;
    e.id = events.size();
    e.size = size;
    e.thread = thread;
    events.push_back(e);
  };
  malloc(0, 32);
  malloc(1, 32);
  malloc(0, kStuckSize);
  for (int i = 0; i < 100; ++i) malloc(0, 32);
  return events;
}

TEST(ReplayConcurrent, AStalledReplayIsReportedNotHung) {
  traces::testing::VectorReader reader(stuck_trace(), 2);
  const ReplayRequest r = request_for("stuck", "adaptive", ReplayMode::Threaded, {"stall_timeout_ms=50", "queue_events=16"});
  StuckBackend backend;
  EventRecorder recorder(10, 1000);
  Progress progress(false, reader);
  Metrics m;
  try {
    run_threaded(reader, r, backend, recorder, progress, m);
    FAIL() << "no ReplayError";
  } catch (const ReplayError& e) {
    EXPECT_NE(std::string(e.what()).find("no progress for 50 ms"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("the allocator is stuck"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(backend.released_in_time()) << "the stuck allocation was released by the replay's teardown";
}

}  // namespace
}  // namespace allocsim::sim::testing
