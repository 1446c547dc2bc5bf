#pragma once
// The seed's "GC thread": drains garbage bins into per-class merge sets,
// coalesces with physical neighbours, refills ready queues toward adaptive
// targets (splitting larger chunks, mapping blocks when nothing is free),
// reclaims from queues that stay full, releases wholly free blocks, and
// sleeps when a pass finds nothing to do.
//
// One implementation, two drivers: step(budget) called by the owner
// (stepped mode: the deterministic replay and tests), or a std::thread that
// loops on step() and waits on a condition variable when idle.
//
// Nothing here depends on absolute addresses: bins are taken in thread
// registration order, merge sets are walked in arrival order, and the
// oldest-block order compares (block creation stamp, offset in block).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "allocator/counters.hpp"
#include "allocator/heap.hpp"
#include "allocator/merge_set.hpp"
#include "allocator/oldest_index.hpp"
#include "allocator/step_result.hpp"

namespace allocsim::allocator {

// A class's ready-queue target and how the collector judges it. The seed:
// a queue found empty after a refill is grown ("fill it fuller than the
// last time"); a queue found full N times is reclaimed from.
// "Full" is judged per refill interval of adapt_interval_ns on the run's
// clock, never per pass: passes come at the rate of frees, so counting a
// full per pass would erase a burst's growth within microseconds.
struct ClassQueueState {
  std::uint64_t target = 0;  // effective: never more than the class's ring holds
  std::uint64_t peak_target = 0;
  std::uint64_t full_count = 0;  // consecutive full intervals
  std::uint64_t grow_events = 0;
  std::uint64_t reclaim_events = 0;
  std::uint64_t empty_findings = 0;  // allocations that found it empty, and visits that did
  std::uint64_t seen_empties = 0;    // the class's empties counter when last read
  std::uint64_t full_findings = 0;  // full intervals
  // The refill interval under way.
  std::uint64_t interval_start = 0;  // on the run's clock
  std::uint64_t taken_at_start = 0;  // the queue's taken() when it began
  std::uint64_t low_water = 0;       // least size seen in it (before refills)
  bool ran_empty = false;            // the queue ran empty in it
  bool refilled = false;             // the queue was refilled since the target last grew
};

class Collector {
 public:
  explicit Collector(Heap& heap);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Does up to `budget` units of work, resuming where the last step left
  // off. Stepped mode, or threaded mode after stop_thread().
  // may_sleep = false: an idle pass does not raise the sleeping flag (the
  // owner models the threaded collector's nap before it sleeps).
  StepResult step(std::uint64_t budget, bool may_sleep = true);
  // Fills the queues of the classes Config::prefill names to their targets,
  // before any thread allocates (the heap's constructor).
  void prefill();
  // Threaded mode: joins the collector thread (e.g. to check() the heap);
  // the owner may step() from then on.
  void stop_thread();
  // Mutator assist: steps on the calling thread until no more than `goal`
  // bytes of garbage wait or class c's queue has chunks (thread_heap.cpp).
  std::uint64_t assist(std::uint32_t c, std::uint64_t goal);
  // Steps until a pass finds nothing to do (bounded by max_steps).
  void run_until_idle(std::uint64_t budget = 1u << 20, std::uint64_t max_steps = 1u << 20);

  bool sleeping() const { return heap_.gate().sleeping(); }
  CollectorCounts counts() const;
  // Per-class queue state (stepped mode, or a racy-but-safe view in threaded mode).
  ClassQueueState queue_state(std::uint32_t c) const;
  std::size_t merge_set_size(std::uint32_t c) const { return sets_[c]->size(); }
  // Bytes of free chunks in the merge sets (any thread may ask).
  std::uint64_t merge_set_bytes() const { return free_bytes_.load(std::memory_order_relaxed); }

  // Threaded mode (Heap's constructor or Heap::start_collector).
  void start_thread();
  bool running() const;
  // Fork (Heap::prepare_fork and after_fork_*): the parent's collector
  // finishes its step and holds off; the child forgets the parent's thread.
  void prepare_fork();
  void after_fork_parent();
  void after_fork_child();

 private:
  friend class HeapChecker;

  // An idle pass sets the sleeping flag only when may_sleep.
  StepResult do_step(std::uint64_t budget, bool may_sleep = true);
  void gather_bins();
  std::uint64_t drain(std::uint64_t budget);
  void prefetch_neighbours(ChunkHeader* next);
  bool has_input() const;
  void merge_in(ChunkHeader* chunk);
  // Coalesces chunk with its free neighbours, adding their bytes freed
  // since they last gave pages back to *unreleased.
  ChunkHeader* coalesce(ChunkHeader* chunk, std::uint64_t* unreleased);
  bool should_release() const;
  std::uint64_t release_min() const;  // smallest free chunk whose pages are given back
  std::uint64_t unreleased_bytes(ChunkHeader* h) const;
  void set_unreleased(ChunkHeader* h, std::uint64_t bytes);
  void release_pages(ChunkHeader* chunk, std::uint64_t unreleased);
  void file(ChunkHeader* chunk);  // into its floor class's merge set, or to a starving queue
  std::uint64_t visit_class(std::uint32_t c, std::uint64_t budget);
  std::uint64_t serve_starving(std::uint64_t budget);
  std::uint64_t class_demand(std::uint32_t c) const;
  bool class_needs(std::uint32_t c) const;
  // Empty findings since the last look: each allocation that found the
  // queue empty, or 1 when only the collector finds it empty now.
  std::uint64_t starving(std::uint32_t c);
  std::uint64_t adapt_target(std::uint32_t c);
  [[gnu::noinline]] void found_empty(std::uint32_t c, std::uint64_t findings);  // grow the target
  [[gnu::noinline]] std::uint64_t close_intervals(std::uint32_t c);  // judge them; reclaim after N full
  bool interval_full(std::uint32_t c, std::uint64_t size) const;
  std::uint64_t reclaim_due(std::uint32_t c) const;  // when a full queue's next reclaim could come
  std::uint64_t next_reclaim_due() const;
  std::uint64_t cap(std::uint32_t c) const { return heap_.queue(c).capacity(); }
  std::uint64_t floor_target(std::uint32_t c) const;
  // Up to `want` chunks from free memory, then from a new block if may_map.
  std::uint64_t refill(std::uint32_t c, std::uint64_t want, bool may_map);
  std::uint64_t refill_to_target(std::uint32_t c, std::uint64_t want);
  std::uint64_t refill_from_own(std::uint32_t c, std::uint64_t want);
  std::uint64_t refill_by_split(std::uint32_t c, std::uint64_t want, bool may_map);
  std::uint64_t carve_into_queue(std::uint32_t c, ChunkHeader* big, std::uint64_t want);
  // Merge-set membership goes through these two, which keep oldest_ exact.
  void add_free(std::uint32_t c, ChunkHeader* chunk);
  void remove_free(std::uint32_t c, ChunkHeader* chunk);
  // Removes and returns the chunk of class c's merge set to hand out next:
  // the oldest (oldest_first), else the first to arrive. The set is not empty.
  ChunkHeader* take_free(std::uint32_t c, std::uint64_t want);
  std::uint64_t reclaim(std::uint32_t c);
  bool try_sleep();
  void thread_main();
  std::uint64_t block_age_key(const ChunkHeader* h) const;

  Heap& heap_;
  const Config& config_;
  const SizeClasses& classes_;
  CollectorCounters counters_;
  MergeCounters merge_counters_;
  std::vector<std::unique_ptr<MergeSet>> sets_;  // classes_.count() + 1 (the span class)
  std::vector<ClassQueueState> state_;
  std::vector<bool> starved_;          // the class's refill found nothing more this pass
  // Garbage taken from bins and not yet merged, in the order taken: the
  // list being merged, then whole lists behind it (a list's tail is never
  // looked for, which would walk every chunk of it one miss at a time).
  ChunkHeader* inbox_ = nullptr;
  InternalVector<ChunkHeader*> backlog_;
  std::size_t backlog_next_ = 0;  // backlog_[backlog_next_..] wait; the rest are spent
  bool next_inbox();              // moves the next waiting list into inbox_; false when none
  void refresh_active_classes();
  InternalVector<std::uint32_t> active_;  // classes with demand, ascending: the only ones a pass visits
  std::uint32_t class_cursor_ = 0;     // index into active_ where the refill phase resumes
  bool cursor_adapted_ = false;        // the class at the cursor had its target adapted this pass
  std::uint64_t pass_units_ = 0;       // work done so far in the current pass
  bool pass_changed_targets_ = false;
  std::uint64_t now_ = 0;              // the run's clock at the start of this step
  std::unique_ptr<OldestIndex[]> oldest_;  // per merge set (oldest_first)
  InternalVector<AgedChunk> scratch_;      // a merge set's members while oldest_ is rebuilt (no malloc)

  std::thread thread_;
  std::mutex step_mutex_;  // held around each threaded step (Heap::prepare_fork)
  std::atomic<bool> fork_pending_{false};  // a fork waits for step_mutex_: the thread stays off it
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> free_bytes_{0};  // merge_set_bytes(): one writer at a time (step_mutex_ or stepped)
};

}  // namespace allocsim::allocator
