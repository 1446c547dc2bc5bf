// Process-level support for the malloc shim: a threaded heap whose
// collector starts late, and the fork handlers (the child gets a
// consistent heap, re-created locks and, on demand, a new collector).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/allocator/heap_test_support.hpp"

namespace allocsim::allocator::testing {
namespace {

HeapOptions threaded_later(HeapObserver* observer = nullptr) {
  HeapOptions o;
  o.mode = CollectorMode::Threaded;
  o.start_collector_later = true;
  o.observer = observer;
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
  CollectorSleeps sleeps;
  Heap heap(Config{}, threaded_later(&sleeps));
  EXPECT_FALSE(heap.collector_running());
  {
    ThreadHeap t(heap);
    ASSERT_TRUE(churn(t, 2000));
    EXPECT_EQ(heap.collector().counts().steps, 0u) << "no collector thread yet";
    heap.start_collector();
    EXPECT_TRUE(heap.collector_running());
    heap.start_collector();  // a second call changes nothing
    t.flush();
    EXPECT_TRUE(sleeps.wait_until([&] { return heap.collector().counts().chunks_drained > 0; }));
  }
  heap.collector().stop_thread();
  heap.collector().run_until_idle();
  expect_ok(heap);
}

// A thread that exists only in the parent, churning on its own ThreadHeap.
// park(): it stops between calls (its ThreadHeap is consistent) and waits
// there until the end.
class OtherThread {
 public:
  explicit OtherThread(Heap& heap) : thread_([this, &heap] { run(heap); }) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return heap_ != nullptr; });
  }
  ~OtherThread() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  void park() {
    std::unique_lock lock(mutex_);
    park_ = true;
    changed_.wait(lock, [&] { return parked_; });
  }
  // Set before the constructor returns and never again: read without the
  // lock, which a child may have inherited held.
  ThreadHeap* heap() const { return heap_; }

 private:
  void run(Heap& heap) {
    ThreadHeap t(heap);
    {
      std::lock_guard lock(mutex_);
      heap_ = &t;
    }
    changed_.notify_all();
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        if (park_) {
          parked_ = true;
          changed_.notify_all();
          changed_.wait(lock, [&] { return stop_; });
        }
        if (stop_) return;
      }
      churn(t, 200);
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool park_ = false, parked_ = false, stop_ = false;
  ThreadHeap* heap_ = nullptr;
  std::thread thread_;  // last: it starts once the rest is constructed
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
  CollectorSleeps sleeps;
  Heap heap(Config{}, threaded_later(&sleeps));
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
      return ok && sleeps.wait_until([&] { return heap.collector().counts().chunks_drained > before; });
    });
    EXPECT_EQ(status, 0) << "round " << round;
  }
  EXPECT_TRUE(churn(mine, 3000));
}

}  // namespace
}  // namespace allocsim::allocator::testing
