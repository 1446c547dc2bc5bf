// Dedicated mappings above the largest class: the cache of freed mappings
// (bounded in bytes, oldest out first, nothing under release_rule = always,
// cleared for calloc) and realloc by remap (no copy, growth by a quarter).
// Residency is asked of the kernel (mincore), never of the core's counters.
#include <cstring>

#include "heap_test_support.hpp"

namespace allocsim::allocator::testing {
namespace {

constexpr std::size_t kLarge = 200u << 10;  // above the 64 KiB class

void fill(void* p, std::size_t n, unsigned char seed) {
  auto* b = static_cast<unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(seed + i * 7);
}

bool holds(const void* p, std::size_t n, unsigned char seed) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i)
    if (b[i] != static_cast<unsigned char>(seed + i * 7)) return false;
  return true;
}

TEST(LargeMappings, AFreedMappingIsReusedAndCallocReadsZeroFromIt) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  void* p = t.allocate(kLarge);
  ASSERT_NE(p, nullptr);
  std::memset(p, 0xff, kLarge);
  const std::uint64_t maps = heap.stats().os_maps;
  t.deallocate(p);
  EXPECT_TRUE(page_mapped(static_cast<char*>(p) + kLarge - 1)) << "kept for reuse";
  EXPECT_GE(heap.stats().large_cached_bytes, kLarge);
  expect_ok(heap);

  auto* q = static_cast<unsigned char*>(t.allocate_zeroed(kLarge - 1000));
  ASSERT_EQ(q, p) << "the cached mapping serves the next request that fits it";
  for (std::size_t i = 0; i < kLarge - 1000; ++i) ASSERT_EQ(q[i], 0) << "calloc on a reused mapping, byte " << i;
  const HeapStats s = heap.stats();
  EXPECT_EQ(s.os_maps, maps) << "no new mapping";
  EXPECT_EQ(s.large_reuses, 1u);
  EXPECT_EQ(s.large_cached_bytes, 0u);
  t.deallocate(q);
  expect_ok(heap);
}

// A kept mapping more than twice the request is split: the request gets
// its front, the rest stays kept and serves the next request, with no new
// mapping.
TEST(LargeMappings, AMappingMoreThanTwiceTheRequestIsSplit) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  auto* big = static_cast<char*>(t.allocate(4 * kLarge));
  std::memset(big, 1, 4 * kLarge);
  t.deallocate(big);
  const HeapStats freed = heap.stats();
  auto* a = static_cast<char*>(t.allocate(kLarge));
  auto* b = static_cast<char*>(t.allocate(kLarge));
  const HeapStats s = heap.stats();
  EXPECT_EQ(s.os_maps, freed.os_maps) << "both served from the kept mapping";
  EXPECT_EQ(s.large_reuses, 2u);
  EXPECT_GT(b, a);
  EXPECT_LT(b, big + 4 * kLarge) << "the second request got a piece of the same mapping";
  EXPECT_GT(s.large_cached_bytes, 0u) << "what is left stays kept";
  EXPECT_LT(s.large_cached_bytes, freed.large_cached_bytes - 2 * kLarge);
  fill(a, kLarge, 3);
  fill(b, kLarge, 4);
  EXPECT_TRUE(holds(a, kLarge, 3));
  EXPECT_TRUE(holds(b, kLarge, 4));
  t.deallocate(a);
  t.deallocate(b);
  expect_ok(heap);
}

// A request larger than everything kept grows the largest kept mapping by
// remap: its pages come along resident, only the new ones are fresh, and
// calloc still reads zero throughout.
TEST(LargeMappings, ARequestLargerThanEveryKeptMappingGrowsOne) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  Heap heap{Config{}};
  ThreadHeap t(heap);
  auto* small = static_cast<char*>(t.allocate(kLarge));
  std::memset(small, 0xff, kLarge);
  t.deallocate(small);
  const HeapStats freed = heap.stats();
  auto* grown = static_cast<unsigned char*>(t.allocate(3 * kLarge));
  ASSERT_NE(grown, nullptr);
  const HeapStats s = heap.stats();
  EXPECT_EQ(s.os_maps, freed.os_maps) << "no fresh mapping";
  EXPECT_EQ(s.large_remaps, freed.large_remaps + 1);
  EXPECT_EQ(s.large_cached_bytes, 0u);
  EXPECT_GE(resident_pages(grown, kLarge - page), (kLarge - page) / page) << "the kept pages moved with the mapping, resident";
  t.deallocate(grown);

  auto* zeroed = static_cast<unsigned char*>(t.allocate_zeroed(5 * kLarge));
  ASSERT_NE(zeroed, nullptr);
  EXPECT_EQ(heap.stats().os_maps, freed.os_maps);
  for (std::size_t i = 0; i < 5 * kLarge; ++i) ASSERT_EQ(zeroed[i], 0) << "calloc on a grown mapping, byte " << i;
  t.deallocate(zeroed);
  expect_ok(heap);
}

TEST(LargeMappings, TheCacheIsBoundedInBytesAndTheOldestGoFirst) {
  Config c;
  c.large_cache_bytes = 1u << 20;
  Heap heap{c};
  ThreadHeap t(heap);
  const std::size_t n = 300u << 10;
  std::vector<char*> ps;
  for (int i = 0; i < 4; ++i) {
    ps.push_back(static_cast<char*>(t.allocate(n)));
    std::memset(ps.back(), i, n);
  }
  for (char* p : ps) t.deallocate(p);
  const HeapStats s = heap.stats();
  EXPECT_LE(s.large_cached_bytes, c.large_cache_bytes);
  EXPECT_EQ(s.large_mappings, 3u) << "three mappings of 300 KiB and a page fit in 1 MiB";
  EXPECT_FALSE(page_mapped(ps[0] + n - 1)) << "the first freed was unmapped to make room";
  EXPECT_TRUE(page_mapped(ps[3] + n - 1));
  expect_ok(heap);
}

TEST(LargeMappings, NothingIsKeptUnderReleaseRuleAlwaysOrAZeroBound) {
  for (bool zero_bound : {false, true}) {
    Config c;
    if (zero_bound) c.large_cache_bytes = 0;
    else c.release_rule = ReleaseRule::Always;
    Heap heap{c};
    ThreadHeap t(heap);
    auto* p = static_cast<char*>(t.allocate(kLarge));
    std::memset(p, 1, kLarge);
    t.deallocate(p);
    EXPECT_FALSE(page_mapped(p + kLarge - 1)) << (zero_bound ? "large_cache_bytes = 0" : "release_rule = always");
    EXPECT_EQ(heap.stats().large_mappings, 0u);
    expect_ok(heap);
  }
}

TEST(LargeMappings, AnOverAlignedRequestGetsACachedMappingOnlyIfItIsSoAligned) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  // Mappings of 300 KiB, mostly not 64 KiB aligned, would fit the request.
  std::vector<void*> freed;
  for (int i = 0; i < 8; ++i) freed.push_back(t.allocate(300u << 10));
  for (void* p : freed) t.deallocate(p);
  const std::size_t align = 64u << 10;
  for (int i = 0; i < 8; ++i) {
    void* q = t.allocate_aligned(kLarge, align);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(addr(q) % align, 0u);
    std::memset(q, 3, kLarge);
    freed[i] = q;
  }
  for (void* q : freed) t.deallocate(q);
  expect_ok(heap);
}

TEST(LargeMappings, ADoubleFreeOfACachedMappingIsCaught) {
  EXPECT_DEATH(
      {
        Heap heap{Config{}};
        ThreadHeap t(heap);
        void* p = t.allocate(kLarge);
        t.deallocate(p);
        t.deallocate(p);
      },
      "already freed");
}

TEST(LargeMappings, ReallocResizesByRemapWithoutCopyingAndKeepsTheContents) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  void* p = t.allocate(kLarge);
  fill(p, kLarge, 9);
  const std::uint64_t maps = heap.stats().os_maps;
  const std::size_t grown = 10u << 20;
  void* q = t.reallocate(p, grown);
  ASSERT_NE(q, nullptr);
  EXPECT_TRUE(holds(q, kLarge, 9));
  EXPECT_GE(ThreadHeap::usable_size(q), grown);
  std::memset(static_cast<char*>(q) + kLarge, 0x77, grown - kLarge);  // all of it is writable
  HeapStats s = heap.stats();
  EXPECT_EQ(s.large_remaps, 1u);
  EXPECT_EQ(s.os_maps, maps) << "moved by the kernel, not mapped anew and copied";
  EXPECT_GE(heap.mapped_bytes(), grown);
  expect_ok(heap);

  const std::uint64_t unmaps = heap.stats().os_unmaps;
  void* r = t.reallocate(q, kLarge);  // shrinks to less than half: the tail is cut off and kept
  ASSERT_EQ(r, q) << "a shrink stays in place";
  EXPECT_TRUE(holds(r, kLarge, 9));
  s = heap.stats();
  EXPECT_EQ(s.large_remaps, 2u);
  EXPECT_EQ(s.os_unmaps, unmaps) << "no system call";
  EXPECT_GE(s.large_cached_bytes, grown - kLarge - 4096) << "the tail is kept for reuse";
  EXPECT_TRUE(page_mapped(static_cast<char*>(q) + grown - 1));
  expect_ok(heap);
  void* reuse = t.allocate(grown / 2);
  EXPECT_GT(addr(reuse), addr(r)) << "the next large request is served from the tail";
  EXPECT_LT(addr(reuse), addr(r) + grown);
  t.deallocate(reuse);
  t.deallocate(r);
  expect_ok(heap);
}

// Growing into a kept mapping that holds the grown size copies into it (its
// pages are resident) instead of remapping, which would fault in every
// added page; all the old usable bytes come along, and the old mapping is
// kept in turn.
TEST(LargeMappings, ReallocGrowsIntoAKeptMappingThatHoldsIt) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  void* p = t.allocate(kLarge);
  void* room = t.allocate(3 * kLarge);
  std::memset(room, 0, 3 * kLarge);
  t.deallocate(room);
  const std::size_t usable = ThreadHeap::usable_size(p);
  fill(p, usable, 5);
  const HeapStats before = heap.stats();
  void* q = t.reallocate(p, 2 * kLarge + kLarge / 2);
  ASSERT_EQ(q, room) << "the kept mapping took the buffer";
  EXPECT_TRUE(holds(q, usable, 5)) << "every usable byte of the old buffer";
  const HeapStats s = heap.stats();
  EXPECT_EQ(s.large_remaps, before.large_remaps) << "a copy, not a remap";
  EXPECT_EQ(s.os_maps, before.os_maps);
  EXPECT_EQ(s.large_reuses, before.large_reuses + 1);
  EXPECT_GE(s.large_cached_bytes, usable) << "the old mapping is kept";
  t.deallocate(q);
  expect_ok(heap);
}

TEST(LargeMappings, AShrinkGivesTheTailBackWhenNothingIsKept) {
  Config c;
  c.large_cache_bytes = 0;
  Heap heap{c};
  ThreadHeap t(heap);
  const std::size_t n = 4u << 20;
  auto* p = static_cast<char*>(t.allocate(n));
  fill(p, n, 2);
  const std::uint64_t mapped = heap.mapped_bytes();
  ASSERT_EQ(t.reallocate(p, kLarge), p);
  EXPECT_TRUE(holds(p, kLarge, 2));
  EXPECT_FALSE(page_mapped(p + n - 1)) << "the tail went back to the OS";
  EXPECT_LT(heap.mapped_bytes(), mapped - n / 2);
  expect_ok(heap);
  t.deallocate(p);
  expect_ok(heap);
}

TEST(LargeMappings, ABufferGrownByAppendsIsRemappedOncePerQuarterNotPerAppend) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  std::size_t n = kLarge;
  void* p = t.allocate(n);
  fill(p, n, 1);
  int reallocs = 0;
  for (; n < (4u << 20); n += 4096, ++reallocs) {
    p = t.reallocate(p, n + 4096);
    ASSERT_NE(p, nullptr);
  }
  EXPECT_TRUE(holds(p, kLarge, 1));
  EXPECT_GT(reallocs, 900);
  EXPECT_LT(heap.stats().large_remaps, 20u) << "a remap grows the mapping by a quarter at least";
  t.deallocate(p);
  expect_ok(heap);
}

TEST(LargeMappings, ReallocCopiesWhenTheOsLayerCannotRemap) {
  FailingOs os;  // maps, but has no remap
  Heap heap{Config{}, HeapOptions{.os = &os}};
  ThreadHeap t(heap);
  void* p = t.allocate(kLarge);
  fill(p, kLarge, 5);
  void* q = t.reallocate(p, 4 * kLarge);
  ASSERT_NE(q, nullptr);
  EXPECT_TRUE(holds(q, kLarge, 5));
  EXPECT_EQ(heap.stats().large_remaps, 0u);
  t.deallocate(q);
  expect_ok(heap);
}

TEST(LargeMappings, ReallocBetweenLargeAndSmallKeepsTheContents) {
  Heap heap{Config{}};
  ThreadHeap t(heap);
  void* p = t.allocate(1000);
  fill(p, 1000, 3);
  p = t.reallocate(p, kLarge);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(holds(p, 1000, 3));
  p = t.reallocate(p, 800);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(holds(p, 800, 3));
  EXPECT_LT(ThreadHeap::usable_size(p), kLarge) << "back in a size class";
  t.deallocate(p);
  heap.collector().run_until_idle();
  expect_ok(heap);
}

}  // namespace
}  // namespace allocsim::allocator::testing
