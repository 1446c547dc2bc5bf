#pragma once
// Plain counters. A Counter is written by one thread only (its owner), so
// an increment is a relaxed load and store, not a locked read-modify-write;
// other threads read it relaxed when summing. Snapshots are plain structs
// with operator+ and operator- so deltas and totals are arithmetic.
#include <atomic>
#include <cstdint>

namespace allocsim::allocator {

class Counter {
 public:
  void add(std::uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  Counter& operator++() {
    add();
    return *this;
  }
  std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }
  void set(std::uint64_t n) { v_.store(n, std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// X(name, meaning). A thread counts what its allocations of one size
// class did per class (ClassCounts); cache hits are what is left.
#define ALLOCSIM_CLASS_COUNTERS(X)                                               \
  X(mallocs, "allocations served from size classes")                            \
  X(queue_refills, "batches taken from a ready queue")                          \
  X(queue_empty, "times a thread found its ready queue empty")                  \
  X(assisted, "empty-queue allocations served from the queue after the thread merged garbage (assist_bytes)") \
  X(fallbacks, "chunks carved from the thread's own fresh region")

// Derived when a snapshot is taken (ThreadHeap::counts()).
#define ALLOCSIM_THREAD_DERIVED_COUNTS(X)                                        \
  X(cache_hits, "allocations served from the thread cache")                     \
  X(frees, "frees of class chunks")

#define ALLOCSIM_THREAD_OWN_COUNTERS(X)                                          \
  X(queue_chunks, "chunks taken from ready queues")                             \
  X(fresh_blocks, "blocks a thread mapped for its fresh region")                \
  X(large_allocs, "allocations served by dedicated mappings")                   \
  X(large_frees, "frees of dedicated mappings")                                 \
  X(frees_to_cache, "frees kept in the thread cache (free_to_cache)")           \
  X(frees_to_bin, "frees of class chunks put in the garbage bin")               \
  X(bin_publishes, "pending garbage lists published into the ready bin")        \
  X(wakeups_sent, "times a thread woke the sleeping collector")

#define ALLOCSIM_THREAD_COUNTERS(X) \
  ALLOCSIM_CLASS_COUNTERS(X) ALLOCSIM_THREAD_DERIVED_COUNTS(X) ALLOCSIM_THREAD_OWN_COUNTERS(X)

#define ALLOCSIM_COLLECTOR_COUNTERS(X)                                           \
  X(passes, "completed collector passes")                                       \
  X(steps, "calls of step() (threaded: loop iterations)")                       \
  X(work_units, "chunks handled (drained, moved, reclaimed)")                   \
  X(sleeps, "times the collector went to sleep")                                \
  X(wakeups, "times the collector was woken")                                   \
  X(chunks_drained, "chunks taken from garbage bins")                           \
  X(merges, "coalescings with a physical neighbour")                            \
  X(splits, "chunks cut into smaller pieces")                                   \
  X(hand_offs, "merged chunks handed straight to a starving queue")             \
  X(hash_lookups, "merge-set lookups")                                          \
  X(hash_inserts, "merge-set inserts")                                          \
  X(hash_erases, "merge-set erases")                                            \
  X(hash_calls, "calls of the hash function")                                   \
  X(chunks_queued, "chunks the collector pushed into ready queues")             \
  X(queue_grows, "queue target growths")                                        \
  X(queue_reclaims, "queue reclaims")                                           \
  X(chunks_reclaimed, "chunks moved from queues back to merge sets")            \
  X(sorts, "oldest-block selections that needed ordering")                      \
  X(sorted_chunks, "chunks ordered by block age")                               \
  X(blocks_mapped, "blocks the collector mapped to refill queues")              \
  X(blocks_released, "wholly free blocks returned to the OS")                   \
  X(purges, "madvise calls giving free pages back")                            \
  X(purged_bytes, "bytes of free pages given back with madvise")                \
  X(released_bytes, "bytes given back to the OS: whole blocks and purged pages") \
  X(busy_ns, "threaded: time the collector thread spent in steps (its clock)") \
  X(assists, "times a thread ran collector steps itself before mapping fresh memory") \
  X(assist_units, "work units done by assisting threads")

#define ALLOCSIM_COUNT_FIELD(name, meaning) std::uint64_t name = 0;
#define ALLOCSIM_COUNTER_FIELD(name, meaning) Counter name;
#define ALLOCSIM_COUNT_ADD(name, meaning) r.name = a.name + b.name;
#define ALLOCSIM_COUNT_SUB(name, meaning) r.name = a.name - b.name;
#define ALLOCSIM_COUNT_SNAP(name, meaning) s.name = name.get();
#define ALLOCSIM_COUNT_VISIT(name, meaning) f(#name, c.name);

// Counts: a plain snapshot with arithmetic. Counters: the live Counter
// fields of LIST, whose snapshot() fills those fields of Counts.
#define ALLOCSIM_DEFINE_COUNTS(Counts, LIST)                                                   \
  struct Counts {                                                                              \
    LIST(ALLOCSIM_COUNT_FIELD)                                                                 \
    bool operator==(const Counts&) const = default;                                            \
    friend Counts operator+(const Counts& a, const Counts& b) {                                \
      Counts r;                                                                                \
      LIST(ALLOCSIM_COUNT_ADD)                                                                 \
      return r;                                                                                \
    }                                                                                          \
    friend Counts operator-(const Counts& a, const Counts& b) {                                \
      Counts r;                                                                                \
      LIST(ALLOCSIM_COUNT_SUB)                                                                 \
      return r;                                                                                \
    }                                                                                          \
    /* f(const char* name, std::uint64_t value) for every field, in declaration order */      \
    template <typename F>                                                                      \
    friend void visit(const Counts& c, F&& f) {                                                \
      LIST(ALLOCSIM_COUNT_VISIT)                                                               \
    }                                                                                          \
  };
#define ALLOCSIM_DEFINE_COUNTERS(Counters, Counts, LIST)                                       \
  struct Counters {                                                                            \
    LIST(ALLOCSIM_COUNTER_FIELD)                                                               \
    Counts snapshot() const {                                                                  \
      Counts s;                                                                                \
      LIST(ALLOCSIM_COUNT_SNAP)                                                                \
      return s;                                                                                \
    }                                                                                          \
  };

ALLOCSIM_DEFINE_COUNTS(ClassCounts, ALLOCSIM_CLASS_COUNTERS)
ALLOCSIM_DEFINE_COUNTERS(ClassCounters, ClassCounts, ALLOCSIM_CLASS_COUNTERS)
ALLOCSIM_DEFINE_COUNTS(ThreadCounts, ALLOCSIM_THREAD_COUNTERS)
ALLOCSIM_DEFINE_COUNTERS(ThreadCounters, ThreadCounts, ALLOCSIM_THREAD_OWN_COUNTERS)
ALLOCSIM_DEFINE_COUNTS(CollectorCounts, ALLOCSIM_COLLECTOR_COUNTERS)
ALLOCSIM_DEFINE_COUNTERS(CollectorCounters, CollectorCounts, ALLOCSIM_COLLECTOR_COUNTERS)

// Where the footprint is: every byte the heap maps is in exactly one of
// these (in_use is what is left: live chunks with their headers and
// rounding, and block overheads). Metadata is mapped apart, for every heap
// of the process.
#define ALLOCSIM_FOOTPRINT_PARTS(X)                                              \
  X(in_use, "chunks handed out and not freed: live objects, their headers and rounding") \
  X(thread_caches, "free chunks in threads' caches")                            \
  X(ready_queues, "free chunks in ready queues")                                \
  X(merge_sets, "free chunks merged and waiting in the collector's merge sets") \
  X(unmerged_garbage, "freed chunks not yet merged: garbage bins, pending lists, the collector's backlog") \
  X(fresh_tails, "the untouched rest of threads' fallback blocks")              \
  X(large_mappings, "dedicated mappings of requests above the largest class, in use or cached for reuse") \
  X(metadata, "the allocator's own mapped metadata (rings, caches, hash buckets), process-wide")

struct FootprintBreakdown {
  std::uint64_t mapped = 0;  // blocks and large mappings (metadata not included)
#define ALLOCSIM_PART_FIELD(name, meaning) std::uint64_t name = 0;
  ALLOCSIM_FOOTPRINT_PARTS(ALLOCSIM_PART_FIELD)
#undef ALLOCSIM_PART_FIELD
  // f(const char* name, std::uint64_t bytes) for every part, in declaration order
  template <typename F>
  friend void visit(const FootprintBreakdown& b, F&& f) {
#define ALLOCSIM_PART_VISIT(name, meaning) f(#name, b.name);
    ALLOCSIM_FOOTPRINT_PARTS(ALLOCSIM_PART_VISIT)
#undef ALLOCSIM_PART_VISIT
  }
};

// The whole heap at one moment: thread counters summed over live and
// exited threads, the collector's, and the OS-facing totals.
struct HeapStats {
  ThreadCounts threads;
  CollectorCounts collector;
  std::uint64_t mapped_bytes = 0;       // blocks + large mappings now
  std::uint64_t peak_mapped_bytes = 0;
  std::uint64_t blocks = 0;
  std::uint64_t large_mappings = 0;    // dedicated mappings, in use or cached
  std::uint64_t large_bytes = 0;
  std::uint64_t large_cached_bytes = 0;  // of those, freed and kept for reuse (large_cache_bytes)
  std::uint64_t large_reuses = 0;        // large allocations served from the cache
  std::uint64_t large_remaps = 0;        // reallocs of large mappings resized by remap, not copied
  std::uint64_t os_maps = 0;            // every mapping, by threads and collector
  std::uint64_t os_unmaps = 0;
  std::uint64_t queue_bytes = 0;        // bytes held in ready queues now
};

}  // namespace allocsim::allocator
