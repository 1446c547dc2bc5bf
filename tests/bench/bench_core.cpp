// The allocator core against the process's malloc, in one binary, so that
// scripts/bench_core.sh can run the same binary plainly (glibc) and under
// LD_PRELOAD of jemalloc, mimalloc and tcmalloc and compare ratios taken
// in one process.
//
//   BM_FastPath_*         alloc + free of one size in a loop (ns per pair)
//   BM_RandomSmall_*      a window of 1000 live objects, random sizes 8..512:
//                         free a random slot, allocate into it (ns per pair)
//   BM_ProducerConsumer_* this thread allocates (random sizes 8..512), a
//                         consumer thread frees, through an SPSC ring of
//                         pointers (items/s; wall time)
//
// Core* use Heap(config, {CollectorMode::Threaded}) with one ThreadHeap per
// thread (CoreFreeToCache: free_to_cache = true; CoreBackpressure:
// backpressure = true); "Malloc" is whatever
// malloc the process has. Each run builds a fresh heap and warms it up with
// the same operations before timing, so the timed loop sees the steady
// state, not the first refills. Core runs also report what the heap did per
// operation (fallback carves, queue refills, collector wake-ups) and its
// peak mapping, because a fast loop that maps memory without bound is not a
// fast allocator.
//
// Time: single-thread benchmarks measure the process's CPU time, so the
// core's collector thread is charged for the frees it handles and a
// preempted process is not; producer -> consumer measures wall time.
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "allocator/config.hpp"
#include "allocator/heap.hpp"
#include "allocator/thread_heap.hpp"

namespace allocsim::allocator {
namespace {

constexpr std::int64_t kWarmUpOps = 200000;

// ---- the two sides -------------------------------------------------------

struct MallocSide {
  struct Thread {
    explicit Thread(MallocSide&) {}
    void* allocate(std::size_t n) { return std::malloc(n); }
    void deallocate(void* p) { std::free(p); }
  };
  void begin() {}
  void report(benchmark::State&) {}
};

template <bool FreeToCache, bool Backpressure = false>
class CoreSide {
 public:
  CoreSide() : heap_(config(), HeapOptions{CollectorMode::Threaded}) {}

  class Thread {
   public:
    explicit Thread(CoreSide& side) : heap_(side.heap_) {}
    void* allocate(std::size_t n) { return heap_.allocate(n); }
    void deallocate(void* p) { heap_.deallocate(p); }

   private:
    ThreadHeap heap_;
  };

  // Marks the start of the timed loop (after warm-up) for report().
  void begin() { before_ = heap_.stats().threads; }

  // What the heap did per timed operation. Call once every ThreadHeap of
  // the run is idle or gone.
  void report(benchmark::State& state) {
    const HeapStats now = heap_.stats();
    const ThreadCounts d = now.threads - before_;
    const double ops = static_cast<double>(d.mallocs ? d.mallocs : 1);
    state.counters["fallback/op"] = static_cast<double>(d.fallbacks) / ops;
    state.counters["refill/op"] = static_cast<double>(d.queue_refills) / ops;
    state.counters["wake/op"] = static_cast<double>(d.wakeups_sent) / ops;
    state.counters["peak_MiB"] = static_cast<double>(now.peak_mapped_bytes) / double(1 << 20);
  }

 private:
  static Config config() {
    Config c;
    c.free_to_cache = FreeToCache;
    c.backpressure = Backpressure;
    return c;
  }

  Heap heap_;
  ThreadCounts before_;
};

using Core = CoreSide<false>;
using CoreFreeToCache = CoreSide<true>;
using CoreBackpressure = CoreSide<false, true>;

// ---- inputs --------------------------------------------------------------

constexpr std::size_t kWindow = 1000;
constexpr std::size_t kSequence = 1u << 16;  // power of two: index by mask

struct Step {
  std::uint16_t slot;
  std::uint16_t size;
};

// A fixed, seeded sequence of (slot, size), sizes uniform in 8..512, built
// once so no random draw happens in a timed loop.
const std::vector<Step>& sequence() {
  static const std::vector<Step> steps = [] {
    std::mt19937_64 rng(20240601);
    std::uniform_int_distribution<std::uint16_t> slot(0, kWindow - 1), size(8, 512);
    std::vector<Step> v(kSequence);
    for (Step& s : v) s = {slot(rng), size(rng)};
    return v;
  }();
  return steps;
}

// ---- threads -------------------------------------------------------------

// Spins briefly, then yields: the machine may have fewer cores than the
// benchmark has threads (producer, consumer and the core's collector).
class Backoff {
 public:
  void wait() {
    if (++spins_ < 64) {
      _mm_pause();
    } else {
      std::this_thread::yield();
    }
  }

 private:
  unsigned spins_ = 0;
};

// Single-producer single-consumer ring of pointers. Each side keeps a copy
// of the other's index and rereads it only when the ring looks full/empty.
class SpscRing {
 public:
  bool push(void* p) {
    const std::uint64_t t = tail_.load(std::memory_order_relaxed);
    if (t - head_seen_ == kCapacity) {
      head_seen_ = head_.load(std::memory_order_acquire);
      if (t - head_seen_ == kCapacity) return false;
    }
    slots_[t & (kCapacity - 1)] = p;
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }
  bool pop(void*& p) {
    const std::uint64_t h = head_.load(std::memory_order_relaxed);
    if (h == tail_seen_) {
      tail_seen_ = tail_.load(std::memory_order_acquire);
      if (h == tail_seen_) return false;
    }
    p = slots_[h & (kCapacity - 1)];
    head_.store(h + 1, std::memory_order_release);
    return true;
  }

 private:
  static constexpr std::uint64_t kCapacity = 1024;
  void* slots_[kCapacity];
  alignas(64) std::atomic<std::uint64_t> tail_{0};
  std::uint64_t head_seen_ = 0;  // producer's
  alignas(64) std::atomic<std::uint64_t> head_{0};
  std::uint64_t tail_seen_ = 0;  // consumer's
};

// ---- benchmark bodies ----------------------------------------------------

template <typename Side>
void fast_path(benchmark::State& state) {
  Side side;
  {
    typename Side::Thread t(side);
    const auto size = static_cast<std::size_t>(state.range(0));
    auto op = [&] {
      void* p = t.allocate(size);
      benchmark::DoNotOptimize(p);
      t.deallocate(p);
    };
    for (std::int64_t i = 0; i < kWarmUpOps; ++i) op();
    side.begin();
    for (auto _ : state) op();
    side.report(state);
  }
  state.SetItemsProcessed(state.iterations());
}

template <typename Side>
void random_small(benchmark::State& state) {
  const std::vector<Step>& steps = sequence();
  Side side;
  {
    typename Side::Thread t(side);
    std::vector<void*> live(kWindow);
    for (std::size_t i = 0; i < kWindow; ++i) live[i] = t.allocate(steps[i].size);
    std::size_t k = 0;
    auto op = [&] {
      const Step s = steps[k++ & (kSequence - 1)];
      t.deallocate(live[s.slot]);
      auto* p = static_cast<char*>(t.allocate(s.size));
      *p = static_cast<char>(k);  // the program would use the memory
      live[s.slot] = p;
    };
    for (std::int64_t i = 0; i < kWarmUpOps; ++i) op();
    side.begin();
    for (auto _ : state) op();
    side.report(state);
    for (void* p : live) t.deallocate(p);
  }
  state.SetItemsProcessed(state.iterations());
}

// The consumer runs in its own thread for the whole run, started and
// ready before warm-up; the timed loop is the producer's. The producer
// waits when the ring is full, so items/s is the pair's throughput.
template <typename Side>
void producer_consumer(benchmark::State& state) {
  const std::vector<Step>& steps = sequence();
  Side side;
  SpscRing ring;
  std::atomic<bool> ready{false}, done{false};
  std::thread consumer([&] {
    typename Side::Thread t(side);
    ready.store(true, std::memory_order_release);
    void* p = nullptr;
    Backoff idle;
    for (;;) {
      if (ring.pop(p)) {
        t.deallocate(p);
        idle = Backoff();
      } else if (done.load(std::memory_order_acquire)) {
        while (ring.pop(p)) t.deallocate(p);
        return;
      } else {
        idle.wait();
      }
    }
  });
  {
    typename Side::Thread t(side);
    while (!ready.load(std::memory_order_acquire)) std::this_thread::yield();
    std::size_t k = 0;
    auto op = [&] {
      auto* p = static_cast<char*>(t.allocate(steps[k++ & (kSequence - 1)].size));
      *p = static_cast<char>(k);
      Backoff full;
      while (!ring.push(p)) full.wait();
    };
    for (std::int64_t i = 0; i < kWarmUpOps; ++i) op();
    side.begin();
    for (auto _ : state) op();
    done.store(true, std::memory_order_release);
    consumer.join();
  }
  side.report(state);
  state.SetItemsProcessed(state.iterations());
}

// ---- registrations -------------------------------------------------------

void BM_FastPath_Core(benchmark::State& s) { fast_path<Core>(s); }
void BM_FastPath_CoreFreeToCache(benchmark::State& s) { fast_path<CoreFreeToCache>(s); }
void BM_FastPath_Malloc(benchmark::State& s) { fast_path<MallocSide>(s); }
BENCHMARK(BM_FastPath_Core)->Arg(16)->Arg(256)->MeasureProcessCPUTime();
BENCHMARK(BM_FastPath_CoreFreeToCache)->Arg(16)->Arg(256)->MeasureProcessCPUTime();
void BM_FastPath_CoreBackpressure(benchmark::State& s) { fast_path<CoreBackpressure>(s); }
BENCHMARK(BM_FastPath_CoreBackpressure)->Arg(16)->Arg(256)->MeasureProcessCPUTime();
BENCHMARK(BM_FastPath_Malloc)->Arg(16)->Arg(256)->MeasureProcessCPUTime();

void BM_RandomSmall_Core(benchmark::State& s) { random_small<Core>(s); }
void BM_RandomSmall_CoreFreeToCache(benchmark::State& s) { random_small<CoreFreeToCache>(s); }
void BM_RandomSmall_Malloc(benchmark::State& s) { random_small<MallocSide>(s); }
BENCHMARK(BM_RandomSmall_Core)->MeasureProcessCPUTime();
BENCHMARK(BM_RandomSmall_CoreFreeToCache)->MeasureProcessCPUTime();
void BM_RandomSmall_CoreBackpressure(benchmark::State& s) { random_small<CoreBackpressure>(s); }
BENCHMARK(BM_RandomSmall_CoreBackpressure)->MeasureProcessCPUTime();
BENCHMARK(BM_RandomSmall_Malloc)->MeasureProcessCPUTime();

void BM_ProducerConsumer_Core(benchmark::State& s) { producer_consumer<Core>(s); }
void BM_ProducerConsumer_Malloc(benchmark::State& s) { producer_consumer<MallocSide>(s); }
BENCHMARK(BM_ProducerConsumer_Core)->MeasureProcessCPUTime()->UseRealTime();
void BM_ProducerConsumer_CoreBackpressure(benchmark::State& s) { producer_consumer<CoreBackpressure>(s); }
BENCHMARK(BM_ProducerConsumer_CoreBackpressure)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(BM_ProducerConsumer_Malloc)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
}  // namespace allocsim::allocator
