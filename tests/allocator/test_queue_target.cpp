// The adaptive ready-queue target, on a stepped heap with a clock the test
// sets: growth when a filled queue runs empty, reclaim after N consecutive
// full refill intervals, the target clamped to what the ring holds, the
// low-water reading of "full", and the thread cache that batches fill.
#include "allocator/clock.hpp"
#include "heap_test_support.hpp"

namespace allocsim::allocator::testing {
namespace {

constexpr std::uint64_t kInterval = 1'000'000;

// A stepped heap with a manual clock, one thread, and the class of `request`.
struct Bench {
  explicit Bench(Config cfg, std::uint64_t request = 100) : request(request) {
    cfg.adapt_interval_ns = kInterval;
    heap = std::make_unique<Heap>(cfg, HeapOptions{.mode = CollectorMode::Stepped, .observer = &obs, .clock = &clock});
    t = std::make_unique<ThreadHeap>(*heap);
    c = heap->classes().ceil_class(SizeClasses::chunk_for(request));
  }
  ~Bench() {
    t.reset();
    heap.reset();
  }
  const ClassQueueState state() const { return heap->collector().queue_state(c); }
  std::size_t queued() const { return heap->queue_length(c); }
  StepResult step() { return heap->collector().step(1u << 20); }
  // Steps once in each of the next `n` intervals.
  void idle_intervals(std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) {
      clock.advance(kInterval);
      step();
    }
  }
  // Allocates until the queue is empty (the thread's cache takes it).
  void drain_queue() {
    while (queued() > 0) keep.push_back(t->allocate(request));
  }

  ManualClock clock;
  RecordingObserver obs;
  std::unique_ptr<Heap> heap;
  std::unique_ptr<ThreadHeap> t;
  std::uint32_t c;
  std::uint64_t request;
  std::vector<void*> keep;
};

Config adaptive(std::uint64_t initial = 8) {
  Config cfg;
  cfg.prefill = Prefill::None;  // each test fills what it needs
  cfg.queue_initial = initial;
  cfg.queue_grow_step = 4;
  cfg.wake_on_starve = false;
  return cfg;
}

TEST(QueueTarget, GrowsWhenAQueueRunsEmptyAgainAfterARefill) {
  Bench b(adaptive(8));
  b.keep.push_back(b.t->allocate(100));  // demand; the queue was never filled
  b.step();
  EXPECT_EQ(b.state().target, 8u) << "an empty queue that was never refilled says nothing about its length";
  EXPECT_EQ(b.queued(), 8u);
  b.drain_queue();
  b.step();
  EXPECT_EQ(b.state().target, 12u);
  EXPECT_EQ(b.queued(), 12u);
  b.drain_queue();
  b.step();
  EXPECT_EQ(b.state().target, 16u);
  EXPECT_EQ(b.state().grow_events, 2u);
  ASSERT_EQ(b.obs.count(HeapEventKind::QueueGrow), 2u);
  const auto last = std::find_if(b.obs.events.rbegin(), b.obs.events.rend(),
                                 [](const HeapEvent& e) { return e.kind == HeapEventKind::QueueGrow; });
  EXPECT_EQ(last->value, 16u);
  EXPECT_EQ(last->size_class, b.c);
  expect_ok(*b.heap);
}

TEST(QueueTarget, AQueueTheCollectorCannotRefillDoesNotGrowOn) {
  Config cfg = adaptive(8);
  cfg.refill_maps_blocks = false;  // nothing free and no new blocks: refills find nothing
  Bench b(cfg);
  for (int i = 0; i < 10; ++i) {
    b.keep.push_back(b.t->allocate(100));
    b.step();
  }
  EXPECT_GT(b.state().empty_findings, 5u);
  EXPECT_EQ(b.state().grow_events, 0u);
  EXPECT_EQ(b.state().target, 8u);
}

TEST(QueueTarget, EachAllocationThatFoundItEmptyIsAFinding) {
  Bench b(adaptive(8));
  void* first = b.t->allocate(100);
  b.step();  // filled to 8
  for (int i = 0; i < 30; ++i) b.keep.push_back(b.t->allocate(100));  // 8 from one batch; 22 find it empty
  b.t->deallocate(first);  // the next step hands it to the queue before judging the class
  b.step();
  EXPECT_GT(b.queued(), 0u);
  EXPECT_EQ(b.state().empty_findings, 1u + 22u) << "the first allocation's and the 22 since";
  EXPECT_EQ(b.state().target, 8u + 4u * 22u) << "grown by as much as it ran short, though the collector sees chunks";
}

TEST(QueueTarget, GrowsWhileGarbageStillWaitsToBeMerged) {
  Bench b(adaptive(8));
  std::vector<void*> other;
  for (int i = 0; i < 5000; ++i) other.push_back(b.t->allocate(3000));
  for (void* p : other) b.t->deallocate(p);  // the first fills the ready bin, the rest wait behind it
  b.heap->collector().step(1);                // takes it
  b.t->flush();                               // publishes the other 4999
  const std::uint64_t passes = b.heap->collector().counts().passes;
  b.keep.push_back(b.t->allocate(100));
  b.heap->collector().step(64);  // refills the starving queue, starts on the backlog
  for (int i = 0; i < 40; ++i) b.keep.push_back(b.t->allocate(100));
  b.heap->collector().step(64);
  EXPECT_LT(b.heap->collector().counts().chunks_drained, 1000u) << "the backlog is far from drained";
  EXPECT_EQ(b.heap->collector().counts().passes, passes) << "no pass has ended";
  EXPECT_GT(b.state().target, 8u) << "adapting did not wait for it";
  EXPECT_GT(b.queued(), 0u);
}

TEST(QueueTarget, ManyPassesInOneIntervalJudgeItOnce) {
  Config cfg = adaptive(16);
  cfg.reclaim_after = 1;
  Bench b(cfg);
  b.keep.push_back(b.t->allocate(100));
  b.step();
  for (int pass = 0; pass < 50; ++pass) {
    b.t->deallocate(b.t->allocate(100));  // wakes and steps the collector at the rate of frees
    b.t->flush();
    b.step();
  }
  EXPECT_EQ(b.state().full_findings, 0u) << "no interval has ended yet";
  EXPECT_EQ(b.state().reclaim_events, 0u);
}

TEST(QueueTarget, ReclaimsAfterNConsecutiveFullIntervals) {
  Config cfg = adaptive(16);
  cfg.reclaim_after = 3;
  cfg.reclaim_fraction = 0.25;
  Bench b(cfg);
  b.keep.push_back(b.t->allocate(100));
  b.step();
  ASSERT_EQ(b.queued(), 16u);
  b.idle_intervals(1);  // the interval of the first fill took chunks: not full
  EXPECT_EQ(b.state().full_findings, 0u);
  b.idle_intervals(3);  // full 1..3 of N = 3: nothing yet
  EXPECT_EQ(b.state().full_findings, 3u);
  EXPECT_EQ(b.state().reclaim_events, 0u);
  b.idle_intervals(1);  // full count 4 > N: reclaim a quarter
  const ClassQueueState s = b.state();
  EXPECT_EQ(s.reclaim_events, 1u);
  EXPECT_EQ(s.target, 12u);
  EXPECT_EQ(s.full_count, 0u);
  EXPECT_EQ(b.queued(), 12u);
  EXPECT_EQ(b.heap->collector().counts().chunks_reclaimed, 4u);
  expect_ok(*b.heap);
}

TEST(QueueTarget, AnIntervalWithATakeIsNotFull) {
  Config cfg = adaptive(64);
  cfg.reclaim_after = 1;
  cfg.thread_cache_slots = 2;  // a batch of 3 leaves the queue far from empty
  Bench b(cfg);
  b.keep.push_back(b.t->allocate(100));
  b.step();
  for (int i = 0; i < 20; ++i) {
    b.clock.advance(kInterval);
    for (int k = 0; k < 3; ++k) b.keep.push_back(b.t->allocate(100));  // one batch from the queue
    b.step();
  }
  EXPECT_EQ(b.state().full_findings, 0u);
  EXPECT_EQ(b.state().reclaim_events, 0u);
  EXPECT_EQ(b.state().target, 64u);
}

TEST(QueueTarget, ALongLowDemandPhaseShrinksTheTargetInQuarterStepsToTheMinimum) {
  Config cfg = adaptive(8);
  cfg.reclaim_after = 4;
  cfg.queue_min = 4;
  Bench b(cfg);
  b.keep.push_back(b.t->allocate(100));
  b.step();
  for (int burst = 0; burst < 30; ++burst) {  // a burst grows the target
    b.drain_queue();
    b.step();
  }
  b.idle_intervals(1);  // ends the burst's interval, which was not full
  const std::uint64_t peak = b.state().target;
  ASSERT_GE(peak, 100u);
  // Low demand: now and then a free (it wakes the collector), nothing taken.
  std::vector<std::uint64_t> targets{peak};
  for (int i = 0; i < 200 && targets.back() > cfg.queue_min; ++i) {
    b.idle_intervals(cfg.reclaim_after + 1);
    targets.push_back(b.state().target);
  }
  EXPECT_EQ(targets.back(), cfg.queue_min);
  for (std::size_t i = 1; i < targets.size(); ++i) {
    const std::uint64_t expect = std::max<std::uint64_t>(cfg.queue_min, targets[i - 1] - std::max<std::uint64_t>(1, targets[i - 1] / 4));
    EXPECT_EQ(targets[i], expect) << "one reclaim of a quarter per N + 1 full intervals, step " << i;
  }
  b.idle_intervals(5 * (cfg.reclaim_after + 1));
  EXPECT_EQ(b.state().target, cfg.queue_min) << "never below queue_min";
  expect_ok(*b.heap);
}

TEST(QueueTarget, ASleepingCollectorIsDueBackWhenAReclaimFallsDue) {
  Config cfg = adaptive(16);
  cfg.reclaim_after = 2;
  Bench b(cfg);
  b.keep.push_back(b.t->allocate(100));
  b.step();
  // No frees: nothing wakes it but the time it asks for. Each wake-up ends
  // intervals; the third full one reclaims.
  const std::uint64_t start = b.clock.now_ns();
  int wakes = 0;
  for (;;) {
    const StepResult r = b.step();
    if (b.state().reclaim_events > 0 || wakes == 10) break;
    ASSERT_TRUE(r.idle);
    ASSERT_NE(r.wake_at_ns, kNoWake);
    ASSERT_GT(r.wake_at_ns, b.clock.now_ns());
    b.clock.set(r.wake_at_ns);
    ++wakes;
  }
  EXPECT_EQ(b.state().reclaim_events, 1u);
  EXPECT_LE(wakes, 3);
  EXPECT_EQ(b.clock.now_ns() - start, (cfg.reclaim_after + 2) * kInterval)
      << "the interval of the first fill, then N + 1 full ones";
}

TEST(QueueTarget, NoReclaimOnceTheTargetIsAtItsMinimum) {
  Config cfg = adaptive(4);
  cfg.queue_min = 4;
  cfg.queue_grow_step = 0;
  cfg.reclaim_after = 1;
  Bench b(cfg);
  b.keep.push_back(b.t->allocate(100));
  b.idle_intervals(10);
  EXPECT_GT(b.state().full_findings, 2u);
  EXPECT_EQ(b.state().reclaim_events, 0u);
  EXPECT_EQ(b.step().wake_at_ns, kNoWake) << "nothing to reclaim: no timed wake-up";
  EXPECT_TRUE(b.heap->collector().sleeping());
}

TEST(QueueTarget, FixedQueueNeverMoves) {
  Config cfg = adaptive(8);
  cfg.queue_adaptive = false;
  cfg.reclaim_after = 1;
  Bench b(cfg);
  for (int round = 0; round < 5; ++round) {
    b.drain_queue();
    b.keep.push_back(b.t->allocate(100));
    b.step();
  }
  b.idle_intervals(10);
  EXPECT_EQ(b.state().target, 8u);
  EXPECT_EQ(b.state().grow_events, 0u);
  EXPECT_EQ(b.state().reclaim_events, 0u);
}

TEST(QueueTarget, TheTargetNeverExceedsWhatTheRingHolds) {
  Config cfg = adaptive(256);
  Bench b(cfg, 60000);  // the 64 KiB class: queue_max_bytes (256 KiB) holds 4
  EXPECT_EQ(b.state().target, 4u) << "the byte cap clamps the target itself";
  for (int i = 0; i < 10; ++i) {
    b.drain_queue();
    b.keep.push_back(b.t->allocate(60000));
    b.step();
  }
  EXPECT_EQ(b.state().target, 4u);
  EXPECT_LE(b.state().peak_target, 4u);
}

TEST(QueueTarget, AClassOfAKibibyteAndUpReclaimsAfterItsBurst) {
  Config cfg = adaptive(256);
  cfg.reclaim_after = 2;
  Bench b(cfg, 4000);
  const std::uint64_t cap = b.heap->queue_capacity(b.c);
  ASSERT_LT(cap, 256u);
  EXPECT_EQ(b.state().target, cap);
  b.keep.push_back(b.t->allocate(4000));
  b.step();
  ASSERT_EQ(b.queued(), cap) << "a queue at its clamped target is full";
  b.idle_intervals(8);
  EXPECT_GT(b.state().reclaim_events, 0u);
  EXPECT_LT(b.state().target, cap);
  expect_ok(*b.heap);
}

// The demand-weighted reading: a queue used a little in every interval is
// not "untouched", but never uses its last quarter either.
TEST(QueueTarget, TheLowWaterRuleReclaimsFromAQueueUsedOnlyAtItsTop) {
  for (const FullRule rule : {FullRule::Untouched, FullRule::LowWater}) {
    Config cfg = adaptive(64);
    cfg.full_rule = rule;
    cfg.reclaim_after = 2;
    cfg.thread_cache_slots = 2;
    Bench b(cfg);
    b.keep.push_back(b.t->allocate(100));
    b.step();
    for (int i = 0; i < 12; ++i) {
      b.clock.advance(kInterval);
      for (int k = 0; k < 3; ++k) b.keep.push_back(b.t->allocate(100));
      b.step();
    }
    if (rule == FullRule::Untouched) EXPECT_EQ(b.state().reclaim_events, 0u);
    else EXPECT_GT(b.state().reclaim_events, 0u);
  }
}

TEST(ThreadCache, ABatchFillsTheCacheToItsSlots) {
  for (const std::uint64_t slots : {4u, 16u}) {
    Config cfg = adaptive(256);
    cfg.thread_cache_slots = slots;
    Bench b(cfg);
    b.keep.push_back(b.t->allocate(100));
    b.step();
    b.keep.push_back(b.t->allocate(100));
    EXPECT_EQ(b.queued(), 256u - (slots + 1)) << "one handed out, " << slots << " cached";
    const ThreadCounts before = b.t->counts();
    for (std::uint64_t i = 0; i < slots; ++i) b.keep.push_back(b.t->allocate(100));
    EXPECT_EQ((b.t->counts() - before).cache_hits, slots);
  }
}

TEST(ThreadCache, TheSlotsKnobChangesCacheHits) {
  std::uint64_t hits[2];
  int i = 0;
  for (const std::uint64_t slots : {4u, 16u}) {
    Config cfg = adaptive(256);
    cfg.thread_cache_slots = slots;
    Bench b(cfg);
    b.keep.push_back(b.t->allocate(100));
    b.step();
    for (int k = 0; k < 200; ++k) b.keep.push_back(b.t->allocate(100));
    hits[i++] = b.t->counts().cache_hits;
  }
  EXPECT_LT(hits[0], hits[1]);
}

TEST(ClassCounts, TheCoreCountsEachClassItself) {
  Bench b(adaptive(64));
  for (int k = 0; k < 5; ++k) b.keep.push_back(b.t->allocate(100));  // fallbacks: never filled
  b.step();
  for (int k = 0; k < 40; ++k) b.keep.push_back(b.t->allocate(100));
  const ClassCounts k = b.heap->class_counts(b.c);
  EXPECT_EQ(k.mallocs, 45u);
  EXPECT_EQ(k.fallbacks, 5u);
  EXPECT_EQ(k.queue_empty, 5u);
  EXPECT_GT(k.queue_refills, 0u);
  EXPECT_EQ(b.heap->class_counts(b.c + 1).mallocs, 0u);
}

TEST(Prefill, TheIdleStateHasEveryQueueFilledBeforeTheFirstAllocation) {
  Config cfg;
  cfg.prefill = Prefill::All;
  Bench b(cfg);
  for (std::uint32_t c = 0; c < b.heap->classes().count(); ++c)
    EXPECT_EQ(b.heap->queue_length(c), b.heap->collector().queue_state(c).target) << "class " << c;
  b.keep.push_back(b.t->allocate(100));
  b.keep.push_back(b.t->allocate(5000));
  EXPECT_EQ(b.t->counts().fallbacks, 0u);
  expect_ok(*b.heap);
}

TEST(Prefill, SmallFillsOnlyTheSmallClasses) {
  Config cfg;
  cfg.prefill = Prefill::Small;
  Bench b(cfg);
  for (std::uint32_t c = 0; c < b.heap->classes().count(); ++c) {
    const bool small = b.heap->classes().size(c) <= cfg.small_limit;
    EXPECT_EQ(b.heap->queue_length(c) > 0, small) << "class " << c;
  }
}

}  // namespace
}  // namespace allocsim::allocator::testing
