// Threaded mode: real threads freeing each other's chunks with the real
// collector thread. Runs under ThreadSanitizer in scripts/test.sh.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "heap_test_support.hpp"

namespace allocsim::allocator::testing {
namespace {

class Mailbox {
 public:
  void put(void* p) {
    std::lock_guard lock(m_);
    q_.push_back(p);
  }
  void* take() {
    std::lock_guard lock(m_);
    if (q_.empty()) return nullptr;
    void* p = q_.front();
    q_.pop_front();
    return p;
  }

 private:
  std::mutex m_;
  std::deque<void*> q_;
};

struct Stamp {
  std::uint64_t size;
  std::uint64_t check;
};

void fill(void* p, std::uint64_t n) {
  if (n >= sizeof(Stamp)) *static_cast<Stamp*>(p) = {n, n * 0x9e3779b97f4a7c15ull};
}
bool intact(void* p, std::uint64_t n) {
  if (n < sizeof(Stamp)) return true;
  const Stamp s = *static_cast<Stamp*>(p);
  return s.size == n && s.check == n * 0x9e3779b97f4a7c15ull;
}

void ring_of_threads(Config cfg, int nthreads, int iterations) {
  Heap heap{cfg, {CollectorMode::Threaded}};
  std::vector<Mailbox> boxes(nthreads);
  std::atomic<int> broken{0};
  std::vector<std::thread> threads;
  for (int id = 0; id < nthreads; ++id) {
    threads.emplace_back([&, id] {
      ThreadHeap t{heap};
      std::mt19937_64 rng(id + 1);
      auto drain = [&] {
        while (void* p = boxes[id].take()) {
          const auto n = *static_cast<std::uint64_t*>(p);
          if (!intact(p, n)) broken.fetch_add(1);
          t.deallocate(p);
        }
      };
      for (int i = 0; i < iterations; ++i) {
        const std::uint64_t n = 16 + rng() % (rng() % 8 == 0 ? 20000 : 300);
        void* p = t.allocate(n);
        if (!p) {
          broken.fetch_add(1);
          continue;
        }
        fill(p, n);
        boxes[(id + 1) % nthreads].put(p);
        if (i % 8 == 0) drain();
      }
      drain();
    });
  }
  for (auto& th : threads) th.join();
  for (auto& b : boxes) {  // chunks sent after their receiver finished
    ThreadHeap t{heap};
    while (void* p = b.take()) t.deallocate(p);
  }
  EXPECT_EQ(broken.load(), 0);
  heap.collector().stop_thread();
  heap.collector().run_until_idle();
  const CheckReport r = heap.check();
  EXPECT_TRUE(r.ok) << r.summary();
  EXPECT_EQ(r.in_use_chunks, 0u) << r.summary();
  const HeapStats s = heap.stats();
  EXPECT_EQ(s.threads.mallocs + s.threads.large_allocs, std::uint64_t(nthreads) * iterations);
  EXPECT_EQ(s.threads.frees + s.threads.large_frees, std::uint64_t(nthreads) * iterations);
  EXPECT_GT(s.collector.chunks_drained, 0u);
}

TEST(ConcurrentHeap, ThreadsFreeEachOthersChunks) { ring_of_threads(Config{}, 4, 20000); }

TEST(ConcurrentHeap, ThreadsFreeEachOthersChunksWithBackpressure) {
  Config c;
  c.backpressure = true;  // frees race the collector's exchange of the bin they look at
  ring_of_threads(c, 4, 20000);
}

TEST(ConcurrentHeap, ThreadsFreeEachOthersChunksWithoutCoalescingOrCaches) {
  Config c;
  c.coalesce = false;
  c.thread_cache_slots = 0;
  ring_of_threads(c, 3, 10000);
}

TEST(ConcurrentHeap, SmallBlocksReleaseAndPurgeUnderLoad) {
  Config c;
  c.block_bytes = 64u << 10;
  c.page_bytes = 16u << 10;
  c.release_rule = ReleaseRule::Always;
  c.purge_min_bytes = 8192;
  ring_of_threads(c, 4, 10000);
}

// The threaded collector falls asleep when it has nothing to do, and the
// free that finds it asleep wakes it (the wake-up is counted by the freeing
// thread, synchronously). The test waits for it to fall asleep on its
// CollectorSleep events, with a bound; nothing is timed.
TEST(ConcurrentHeap, CollectorSleepsAndIsWokenByFrees) {
  CollectorSleeps sleeps;
  Heap heap{Config{}, {.mode = CollectorMode::Threaded, .observer = &sleeps}};
  bool woken_by_a_free = false;
  {
    ThreadHeap t{heap};
    std::vector<void*> ps;
    for (int i = 0; i < 100; ++i) ps.push_back(t.allocate(200));
    for (void* p : ps) t.deallocate(p);
    for (int attempt = 0; attempt < 100 && !woken_by_a_free; ++attempt) {
      if (!sleeps.wait_until([&] { return heap.collector().sleeping(); })) break;
      void* p = t.allocate(200);
      const std::uint64_t sent = t.counts().wakeups_sent;
      t.deallocate(p);  // finds it asleep, unless a timed wake-up came first: then again
      woken_by_a_free = t.counts().wakeups_sent > sent;
    }
  }
  EXPECT_TRUE(woken_by_a_free);
  const CollectorCounts c = heap.collector().counts();
  EXPECT_GT(c.sleeps, 0u);
  EXPECT_GT(c.wakeups, 0u);
  heap.collector().stop_thread();
  EXPECT_TRUE(heap.check().ok);
}

}  // namespace
}  // namespace allocsim::allocator::testing
