// The mutator API: sizes, alignment, zero-size and large requests, realloc.
#include <cstring>
#include <random>

#include "heap_test_support.hpp"

namespace allocsim::allocator::testing {
namespace {

TEST(HeapBasic, AllocationsAreUsableAlignedAndDistinct) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  std::vector<std::pair<char*, std::size_t>> live;
  for (std::size_t n : {1u, 8u, 24u, 25u, 100u, 1000u, 4000u, 40000u, 65000u, 70000u, 3000000u}) {
    auto* p = static_cast<char*>(t.allocate(n));
    ASSERT_NE(p, nullptr) << n;
    EXPECT_EQ(addr(p) % 16, 0u) << n;
    EXPECT_GE(ThreadHeap::usable_size(p), n);
    std::memset(p, 0xab, n);
    live.emplace_back(p, n);
  }
  for (std::size_t i = 0; i < live.size(); ++i)
    for (std::size_t j = i + 1; j < live.size(); ++j)
      EXPECT_TRUE(live[i].first + live[i].second <= live[j].first || live[j].first + live[j].second <= live[i].first);
  expect_ok(heap);
  for (auto [p, n] : live) t.deallocate(p);
  heap.collector().run_until_idle();
  expect_ok(heap);
}

TEST(HeapBasic, ZeroSizeRequestsGiveDistinctFreeablePointers) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  void* a = t.allocate(0);
  void* b = t.allocate(0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(ThreadHeap::usable_size(a), kMinChunk - kHeaderBytes);
  t.deallocate(a);
  t.deallocate(b);
  t.deallocate(nullptr);
  heap.collector().run_until_idle();
  expect_ok(heap);
}

TEST(HeapBasic, AlignmentsFrom16To4096AndBeyond) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  std::vector<void*> live;
  for (std::size_t align = 16; align <= 65536; align *= 2) {
    for (std::size_t n : {1u, 100u, 5000u, 100000u}) {
      void* p = t.allocate_aligned(n, align);
      ASSERT_NE(p, nullptr) << n << " @ " << align;
      EXPECT_EQ(addr(p) % align, 0u) << n << " @ " << align;
      EXPECT_GE(ThreadHeap::usable_size(p), n);
      std::memset(p, 0x5a, n);
      live.push_back(p);
    }
  }
  EXPECT_EQ(t.allocate_aligned(10, 48), nullptr) << "alignment must be a power of two";
  expect_ok(heap);
  for (void* p : live) t.deallocate(p);
  heap.collector().run_until_idle();
  expect_ok(heap);
}

TEST(HeapBasic, LargeAllocationsGetTheirOwnMappingAndGoBackOnFree) {
  Config c;
  c.large_cache_bytes = 0;  // none kept for reuse (test_large_mappings.cpp)
  Heap heap{c};
  ThreadHeap t(heap);
  const std::size_t n = 8u << 20;
  auto* p = static_cast<char*>(t.allocate(n));
  ASSERT_NE(p, nullptr);
  std::memset(p, 1, n);
  EXPECT_GE(heap.mapped_bytes(), n);
  EXPECT_EQ(heap.stats().large_mappings, 1u);
  EXPECT_TRUE(page_mapped(p + n - 1));
  t.deallocate(p);
  EXPECT_FALSE(page_mapped(p + n - 1)) << "the mapping is returned to the OS at once";
  EXPECT_EQ(heap.stats().large_mappings, 0u);
}

TEST(HeapBasic, CallocZeroesEvenRecycledMemory) {
  Config c;
  c.thread_cache_slots = 0;
  Heap heap{c};
  ThreadHeap t(heap);
  for (int round = 0; round < 3; ++round) {
    std::vector<char*> ps;
    for (int i = 0; i < 200; ++i) {
      auto* p = static_cast<char*>(t.allocate_zeroed(300));
      ASSERT_NE(p, nullptr);
      for (int k = 0; k < 300; ++k) ASSERT_EQ(p[k], 0);
      std::memset(p, 0xff, 300);
      ps.push_back(p);
    }
    for (char* p : ps) t.deallocate(p);
    heap.collector().run_until_idle();
  }
  expect_ok(heap);
}

TEST(HeapBasic, ReallocKeepsContentsAndFreesTheOldChunk) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  auto* p = static_cast<unsigned char*>(t.reallocate(nullptr, 10));
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 10; ++i) p[i] = static_cast<unsigned char>(i);
  for (std::size_t n : {20u, 200u, 5000u, 100000u, 3000u, 50u}) {
    p = static_cast<unsigned char*>(t.reallocate(p, n));
    ASSERT_NE(p, nullptr);
    for (int i = 0; i < 10; ++i) ASSERT_EQ(p[i], i) << "after realloc to " << n;
  }
  void* same = t.reallocate(p, 40);
  EXPECT_EQ(same, p) << "a shrink that still uses half the chunk stays in place";
  EXPECT_EQ(t.reallocate(same, 0), nullptr);
  heap.collector().run_until_idle();
  const CheckReport r = heap.check();
  EXPECT_TRUE(r.ok) << r.summary();
  EXPECT_EQ(r.in_use_chunks, 0u);
}

TEST(HeapBasic, CountersAddUp) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  std::vector<void*> ps;
  for (int i = 0; i < 1000; ++i) ps.push_back(t.allocate(64));
  for (void* p : ps) t.deallocate(p);
  const ThreadCounts c = t.counts();
  EXPECT_EQ(c.mallocs, 1000u);
  EXPECT_EQ(c.frees, 1000u);
  EXPECT_EQ(c.cache_hits + c.queue_refills + c.fallbacks, 1000u);
  EXPECT_EQ(heap.stats().threads, c);
}

// Stepped heap, no collector step: the first free publishes the bin, which
// then stays full. With backpressure the following frees stay in the
// thread's cache (up to its slots) and are handed out again; without it,
// every free goes to the garbage bin.
TEST(HeapBasic, BackpressureKeepsFreesWhileTheBinIsNotCollected) {
  for (const bool backpressure : {false, true}) {
    SCOPED_TRACE(backpressure);
    Config config;
    config.backpressure = backpressure;
    config.prefill = Prefill::None;  // the cache starts empty
    Heap heap{config};
    ThreadHeap t(heap);
    std::vector<void*> ps;
    for (int i = 0; i < 20; ++i) ps.push_back(t.allocate(64));
    for (void* p : ps) t.deallocate(p);
    ThreadCounts c = t.counts();
    EXPECT_EQ(c.frees, 20u);
    EXPECT_EQ(c.frees_to_cache, backpressure ? config.thread_cache_slots : 0u);
    EXPECT_EQ(c.frees_to_bin, 20u - c.frees_to_cache);
    void* again = t.allocate(64);
    if (backpressure) {
      EXPECT_EQ(again, ps[config.thread_cache_slots]) << "the last chunk the cache kept comes back first";
    }
    t.deallocate(again);
    heap.collector().run_until_idle();
    expect_ok(heap);
  }
}

}  // namespace
}  // namespace allocsim::allocator::testing
