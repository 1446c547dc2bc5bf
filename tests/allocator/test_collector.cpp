// The collector's mechanisms, each on a heap constructed to isolate it.
#include "heap_test_support.hpp"

namespace allocsim::allocator::testing {
namespace {

constexpr std::uint64_t kChunk = 112;  // chunk of a 100-byte request

struct ThreeAdjacent {
  Heap heap{quiet_config()};
  ThreadHeap t{heap};
  void* a = t.allocate(100);
  void* b = t.allocate(100);
  void* c = t.allocate(100);
  void* guard = t.allocate(100);
  void free_and_step(void* p) {
    t.deallocate(p);
    heap.collector().run_until_idle();
  }
  std::size_t set_size(std::uint64_t bytes) { return heap.collector().merge_set_size(heap.classes().floor_class(bytes)); }
};

TEST(Coalescing, AdjacentChunksAreCarvedInOrder) {
  ThreeAdjacent h;
  EXPECT_EQ(addr(h.b) - addr(h.a), kChunk);
  EXPECT_EQ(addr(h.c) - addr(h.b), kChunk);
}

TEST(Coalescing, WithPredecessor) {
  ThreeAdjacent h;
  h.free_and_step(h.a);
  h.free_and_step(h.b);
  EXPECT_EQ(h.heap.collector().counts().merges, 1u);
  EXPECT_EQ(h.set_size(2 * kChunk), 1u);
  EXPECT_EQ(h.set_size(kChunk), 0u);
  expect_ok(h.heap);
}

TEST(Coalescing, WithSuccessor) {
  ThreeAdjacent h;
  h.free_and_step(h.b);
  h.free_and_step(h.a);
  EXPECT_EQ(h.heap.collector().counts().merges, 1u);
  EXPECT_EQ(h.set_size(2 * kChunk), 1u);
  expect_ok(h.heap);
}

TEST(Coalescing, WithBothNeighboursAndTheSeedsMergeCost) {
  ThreeAdjacent h;
  h.free_and_step(h.a);
  h.free_and_step(h.c);
  const CollectorCounts before = h.heap.collector().counts();
  h.free_and_step(h.b);
  const CollectorCounts d = h.heap.collector().counts() - before;
  EXPECT_EQ(d.merges, 2u);
  EXPECT_EQ(d.hash_lookups, 2u) << "one lookup for the predecessor, one for the successor";
  EXPECT_EQ(d.hash_erases, 2u);
  EXPECT_EQ(d.hash_inserts, 1u);
  EXPECT_EQ(d.hash_calls, 3u) << "erases go through the node's hook and do not hash";
  EXPECT_EQ(h.set_size(3 * kChunk), 1u);
  const CheckReport r = h.heap.check();
  EXPECT_TRUE(r.ok) << r.summary();
  EXPECT_EQ(r.merge_set_chunks, 1u);
  EXPECT_EQ(r.merge_set_bytes, 3 * kChunk);
}

TEST(Coalescing, OffWhenThePolicySaysSo) {
  Config c = quiet_config();
  c.coalesce = false;
  Heap heap{c};
  ThreadHeap t{heap};
  void* a = t.allocate(100);
  void* b = t.allocate(100);
  t.allocate(100);
  t.deallocate(a);
  t.deallocate(b);  // pending behind a's ready bin
  heap.collector().run_until_idle();
  t.flush();
  heap.collector().run_until_idle();
  EXPECT_EQ(heap.collector().counts().merges, 0u);
  EXPECT_EQ(heap.collector().merge_set_size(heap.classes().floor_class(kChunk)), 2u);
  expect_ok(heap);
}

TEST(Splitting, AQueueIsRefilledFromTheNextLargerClass) {
  Heap heap{quiet_config(4)};
  ThreadHeap t{heap};
  std::vector<void*> run;
  for (int i = 0; i < 64; ++i) run.push_back(t.allocate(100));
  t.allocate(100);  // guard
  for (void* p : run) t.deallocate(p);
  t.flush();
  heap.collector().step(1u << 20);
  t.flush();
  heap.collector().run_until_idle();
  const std::uint32_t c = heap.classes().ceil_class(kChunk);
  EXPECT_EQ(heap.queue_length(c), 4u);
  EXPECT_GE(heap.collector().counts().splits, 1u);
  const std::uint64_t rest = 64 * kChunk - 4 * kChunk;
  EXPECT_EQ(heap.collector().merge_set_size(heap.classes().floor_class(rest)), 1u);
  expect_ok(heap);
}

// Two blocks: A (older) and B (newer). Chunks of B arrive in the merge set
// before chunks of A, and the queue wants only one of the six.
void* queued_after_mixed_arrival(bool oldest_first, std::vector<void*>& in_a, std::vector<void*>& in_b) {
  Config cfg = quiet_config(2);
  cfg.oldest_first = oldest_first;
  Heap heap{cfg};
  ThreadHeap t1{heap}, t2{heap}, reader{heap};
  void* first = t1.allocate(100);
  t1.allocate(100);  // guard: no coalescing between candidates
  for (int i = 0; i < 3; ++i) {
    in_a.push_back(t1.allocate(100));
    t1.allocate(100);
    in_b.push_back(t2.allocate(100));
    t2.allocate(100);
  }
  t1.deallocate(first);                   // published: it fills t1's ready bin
  for (void* p : in_a) t1.deallocate(p);  // pending behind it
  for (void* p : in_b) t1.deallocate(p);
  heap.collector().step(1u << 20);        // queues `first` (1 of 2 wanted)
  t1.flush();                             // arrival: B3 B2 B1 A3 A2 A1
  heap.collector().step(1u << 20);        // wants 1 of the 6
  EXPECT_EQ(reader.allocate(100), first);
  void* second = reader.allocate(100);
  EXPECT_TRUE(heap.check().ok);
  return second;
}

TEST(OldestBlockOrdering, PicksTheOldestBlockWhenOnlySomeChunksAreWanted) {
  std::vector<void*> a, b;
  void* got = queued_after_mixed_arrival(true, a, b);
  EXPECT_EQ(got, a[0]);
}

TEST(OldestBlockOrdering, ArrivalOrderWithoutIt) {
  std::vector<void*> a, b;
  void* got = queued_after_mixed_arrival(false, a, b);
  EXPECT_EQ(got, b[2]);
}

TEST(OldestBlockOrdering, SkipsTheSortWhenDemandTakesEveryChunk) {
  Config cfg = quiet_config(16);
  Heap heap{cfg};
  ThreadHeap t{heap};
  std::vector<void*> ps;
  for (int i = 0; i < 6; ++i) {
    ps.push_back(t.allocate(100));
    t.allocate(100);
  }
  for (void* p : ps) t.deallocate(p);
  t.flush();
  heap.collector().run_until_idle();
  t.flush();
  heap.collector().run_until_idle();
  EXPECT_EQ(heap.queue_length(heap.classes().ceil_class(kChunk)), 6u);
  EXPECT_EQ(heap.collector().counts().sorts, 0u);
}

TEST(Fallback, ThreadsCarveTheirOwnChunksWhenTheCollectorLagsBehind) {
  RecordingObserver obs;
  Config cfg;
  cfg.prefill = Prefill::None;
  Heap heap{cfg, {CollectorMode::Stepped, nullptr, &obs}};
  ThreadHeap t{heap};
  for (int i = 0; i < 1000; ++i) ASSERT_NE(t.allocate(64), nullptr);
  EXPECT_EQ(t.counts().fallbacks, 1000u) << "never stepped: nothing was ever queued";
  EXPECT_EQ(obs.count(HeapEventKind::Fallback), 1000u);
  heap.collector().run_until_idle();
  for (int i = 0; i < 100; ++i) ASSERT_NE(t.allocate(64), nullptr);
  EXPECT_EQ(t.counts().fallbacks, 1000u) << "the refilled queue serves the rest";
  EXPECT_GT(t.counts().queue_refills, 0u);
  expect_ok(heap);
}

TEST(Release, WhollyFreeBlocksGoBackToTheOs) {
  Config cfg = quiet_config();
  Heap heap{cfg};
  auto* t = new ThreadHeap(heap);
  std::vector<char*> ps;
  for (int i = 0; i < 100; ++i) {
    auto* p = static_cast<char*>(t->allocate(30000));
    std::memset(p, 1, 30000);
    ps.push_back(p);
  }
  ASSERT_GE(heap.stats().blocks, 3u);
  for (char* p : ps) EXPECT_TRUE(page_mapped(p));
  for (char* p : ps) t->deallocate(p);
  delete t;  // its fresh tail goes back too
  heap.collector().run_until_idle();
  for (char* p : ps) EXPECT_FALSE(page_mapped(p)) << "the kernel no longer maps the block";
  EXPECT_EQ(heap.mapped_bytes(), 0u);
  EXPECT_GE(heap.collector().counts().blocks_released, 3u);
  expect_ok(heap);
}

TEST(Release, NeverKeepsBlocksMapped) {
  Config cfg = quiet_config();
  cfg.release_rule = ReleaseRule::Never;
  Heap heap{cfg};
  auto* t = new ThreadHeap(heap);
  char* p = static_cast<char*>(t->allocate(30000));
  t->deallocate(p);
  delete t;
  heap.collector().run_until_idle();
  EXPECT_TRUE(page_mapped(p));
  EXPECT_EQ(heap.collector().counts().blocks_released, 0u);
}

TEST(Release, FreePagesInsideLargeFreeChunksLeaveMemory) {
  Config cfg = quiet_config();  // chunks of the page-size class and up give their pages back
  Heap heap{cfg};
  ThreadHeap t{heap};
  std::vector<char*> ps;
  for (int i = 0; i < 20; ++i) {
    auto* p = static_cast<char*>(t.allocate(30000));
    std::memset(p, 1, 30000);
    ps.push_back(p);
  }
  t.allocate(100);  // guard
  const std::size_t span = ps.back() + 30000 - ps.front();
  const std::size_t before = resident_pages(ps.front(), span);
  for (char* p : ps) t.deallocate(p);
  t.flush();
  heap.collector().run_until_idle();
  t.flush();
  heap.collector().run_until_idle();
  const std::size_t after = resident_pages(ps.front(), span);
  EXPECT_GT(before, 100u);
  EXPECT_LT(after, before / 10) << "kernel residency, not the core's counters";
  EXPECT_GT(heap.collector().counts().purges, 0u);
  expect_ok(heap);
}

TEST(SleepWake, TheCollectorSleepsWhenIdleAndTheNextFreeWakesIt) {
  RecordingObserver obs;
  Heap heap{Config{}, {CollectorMode::Stepped, nullptr, &obs}};
  ThreadHeap t{heap};
  void* p = t.allocate(100);
  heap.collector().run_until_idle();
  EXPECT_TRUE(heap.collector().sleeping());
  EXPECT_EQ(obs.count(HeapEventKind::CollectorSleep), 1u);
  t.deallocate(p);
  EXPECT_FALSE(heap.collector().sleeping());
  EXPECT_EQ(obs.count(HeapEventKind::CollectorWake), 1u);
  EXPECT_EQ(heap.collector().counts().wakeups, 1u);
  EXPECT_EQ(t.counts().wakeups_sent, 1u);
}

}  // namespace
}  // namespace allocsim::allocator::testing
