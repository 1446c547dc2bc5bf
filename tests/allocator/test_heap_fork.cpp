// Process-level support for the malloc shim: a threaded heap whose
// collector starts late, and the fork handlers (the child gets a
// consistent heap, re-created locks and, on demand, a new collector).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "tests/allocator/heap_test_support.hpp"

namespace allocsim::allocator::testing {
namespace {

HeapOptions threaded_later() {
  HeapOptions o;
  o.mode = CollectorMode::Threaded;
  o.start_collector_later = true;
  return o;
}

// Allocates and frees `n` chunks of mixed sizes; false when a byte written was lost.
bool churn(ThreadHeap& t, int n) {
  std::vector<unsigned char*> live;
  for (int i = 0; i < n; ++i) {
    const std::size_t size = 16 + (i * 37) % 3000;
    auto* p = static_cast<unsigned char*>(t.allocate(size));
    if (!p) return false;
    p[0] = static_cast<unsigned char>(i);
    p[size - 1] = static_cast<unsigned char>(i);
    live.push_back(p);
    if (live.size() > 64) {
      unsigned char* q = live[live.size() / 2];
      live.erase(live.begin() + static_cast<long>(live.size() / 2));
      t.deallocate(q);
    }
  }
  for (auto* p : live) t.deallocate(p);
  return true;
}

TEST(HeapFork, CollectorStartsOnlyWhenAsked) {
  Heap heap(Config{}, threaded_later());
  EXPECT_FALSE(heap.collector_running());
  {
    ThreadHeap t(heap);
    ASSERT_TRUE(churn(t, 2000));
    EXPECT_EQ(heap.collector().counts().steps, 0u) << "no collector thread yet";
    heap.start_collector();
    EXPECT_TRUE(heap.collector_running());
    heap.start_collector();  // a second call changes nothing
    t.flush();
    for (int i = 0; i < 2500 && heap.collector().counts().chunks_drained == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_GT(heap.collector().counts().chunks_drained, 0u);
  }
  heap.collector().stop_thread();
  heap.collector().run_until_idle();
  expect_ok(heap);
}

// A thread that exists only in the parent, churning on its own ThreadHeap.
// park(): it stops between calls (its ThreadHeap is consistent).
class OtherThread {
 public:
  explicit OtherThread(Heap& heap)
      : thread_([this, &heap] {
          ThreadHeap t(heap);
          heap_ = &t;
          ready_ = true;
          while (!stop_) {
            if (park_) {
              parked_ = true;
              std::this_thread::sleep_for(std::chrono::milliseconds(1));
              continue;
            }
            churn(t, 200);
          }
        }) {
    while (!ready_) std::this_thread::yield();
  }
  ~OtherThread() {
    stop_ = true;
    thread_.join();
  }
  void park() {
    park_ = true;
    while (!parked_) std::this_thread::yield();
  }
  ThreadHeap* heap() const { return heap_; }

 private:
  std::atomic<bool> ready_{false}, park_{false}, parked_{false}, stop_{false};
  ThreadHeap* heap_ = nullptr;
  std::thread thread_;
};

// Forks; in the child runs `child` (its result is the exit status), in the
// parent returns the child's exit status.
template <typename F>
int fork_with_handlers(Heap& heap, F&& child) {
  heap.prepare_fork();
  const pid_t pid = fork();
  if (pid == 0) {
    heap.after_fork_child();
    _exit(child() ? 0 : 1);
  }
  heap.after_fork_parent();
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool settle_and_check(Heap& heap, ThreadHeap& t) {
  t.flush();
  heap.collector().stop_thread();
  heap.collector().run_until_idle();
  const CheckReport report = heap.check();
  if (!report.ok) std::fprintf(stderr, "%s\n", report.summary().c_str());
  return report.ok;
}

// The vanished thread was idle at fork time: the child hands its ThreadHeap
// back (its destructor), works on, starts a collector, and the heap checks
// out. The parent carries on as before.
TEST(HeapFork, ChildHandsBackAnIdleVanishedThread) {
  Heap heap(Config{}, threaded_later());
  heap.start_collector();
  ThreadHeap mine(heap);
  ASSERT_TRUE(churn(mine, 3000));
  OtherThread other(heap);
  other.park();
  const int status = fork_with_handlers(heap, [&] {
    other.heap()->~ThreadHeap();
    bool ok = churn(mine, 5000);
    heap.start_collector();
    ok = ok && churn(mine, 5000);
    return ok && settle_and_check(heap, mine);
  });
  EXPECT_EQ(status, 0);
  EXPECT_TRUE(churn(mine, 3000)) << "the parent's heap works on";
}

// The vanished thread may be inside a call at fork time: the child forgets
// its ThreadHeap (a half-carved chunk may be left behind, so no check) and
// allocates, frees and collects on without it.
TEST(HeapFork, ChildForgetsABusyVanishedThread) {
  Heap heap(Config{}, threaded_later());
  heap.start_collector();
  ThreadHeap mine(heap);
  OtherThread other(heap);
  for (int round = 0; round < 5; ++round) {
    const int status = fork_with_handlers(heap, [&] {
      heap.forget_thread(other.heap());
      const std::uint64_t before = heap.collector().counts().chunks_drained;
      bool ok = churn(mine, 5000);
      heap.start_collector();
      ok = ok && churn(mine, 20000);
      mine.flush();
      for (int i = 0; i < 1000 && heap.collector().counts().chunks_drained == before; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return ok && heap.collector().counts().chunks_drained > before;
    });
    EXPECT_EQ(status, 0) << "round " << round;
  }
  EXPECT_TRUE(churn(mine, 3000));
}

}  // namespace
}  // namespace allocsim::allocator::testing
