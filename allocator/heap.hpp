#pragma once
// The ready-queue allocator (its design: docs/allocator.md).
//
// One Heap owns all memory: blocks and large mappings from the OS layer,
// one ready queue per size class, the registry of ThreadHeaps (the
// mutators' contexts, each with its caches and garbage bin) and the
// Collector, which does all coalescing. A free chunk is in exactly one
// place at a time: a thread cache, a ready queue, a garbage bin (pending,
// ready, orphaned, or the collector's inbox), a merge set, or a thread's
// untouched fresh tail. check() proves it.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "allocator/chunk.hpp"
#include "allocator/clock.hpp"
#include "allocator/collector_gate.hpp"
#include "allocator/config.hpp"
#include "allocator/counters.hpp"
#include "allocator/internal_memory.hpp"
#include "allocator/observer.hpp"
#include "allocator/os_layer.hpp"
#include "allocator/ready_queue.hpp"
#include "allocator/size_classes.hpp"

namespace allocsim::allocator {

class Collector;
class ThreadHeap;

enum class CollectorMode {
  Stepped,   // no thread: the owner calls collector().step(budget)
  Threaded,  // a std::thread runs the same step() and sleeps when idle
};

struct HeapOptions {
  CollectorMode mode = CollectorMode::Stepped;
  OsLayer* os = nullptr;             // nullptr: system_os()
  HeapObserver* observer = nullptr;  // nullptr: nothing observed
  // The run's clock, on which queues are judged (clock.hpp); nullptr: the
  // steady clock. The deterministic replay passes its virtual clock.
  const Clock* clock = nullptr;
  // Threaded mode: do not start the collector thread in the constructor;
  // start_collector() does (the malloc shim starts it outside any malloc call).
  bool start_collector_later = false;
};

struct CheckReport {
  bool ok = true;
  std::vector<std::string> errors;  // the first few problems, each self-explaining
  // Chunks and bytes (headers included) per place, summed over all blocks.
  std::uint64_t in_use_chunks = 0, in_use_bytes = 0;
  std::uint64_t cached_chunks = 0, cached_bytes = 0;
  std::uint64_t queued_chunks = 0, queued_bytes = 0;
  std::uint64_t binned_chunks = 0, binned_bytes = 0;
  std::uint64_t merge_set_chunks = 0, merge_set_bytes = 0;
  std::uint64_t fresh_chunks = 0, fresh_bytes = 0;
  std::uint64_t block_bytes = 0;  // all blocks, overheads included
  std::uint64_t large_mappings = 0, large_bytes = 0;  // cached ones included
  std::uint64_t large_cached = 0, large_cached_bytes = 0;
  std::string summary() const;
};

class Heap {
 public:
  explicit Heap(const Config& config, HeapOptions options = {});
  // Every ThreadHeap must be destroyed first. Stops the collector thread
  // and returns all memory to the OS layer.
  ~Heap();
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  const Config& config() const { return config_; }
  const SizeClasses& classes() const { return classes_; }
  CollectorMode mode() const { return mode_; }
  Collector& collector() { return *collector_; }
  const Collector& collector() const { return *collector_; }

  HeapStats stats() const;
  // Where the mapped bytes are now, and where they were when the mapping
  // last reached a new peak (allocator/footprint.cpp).
  FootprintBreakdown footprint() const;
  FootprintBreakdown peak_footprint() const;
  // What every thread's allocations of class c did (live and exited threads).
  ClassCounts class_counts(std::uint32_t c) const;
  // Walks every block and proves each chunk is in exactly one place, that
  // headers agree with their neighbours and that the totals add up. The
  // heap must be quiescent: no mutator inside a call, collector stepped
  // or asleep.
  CheckReport check() const;

  std::uint64_t mapped_bytes() const { return mapped_bytes_.load(std::memory_order_relaxed); }
  std::uint64_t peak_mapped_bytes() const { return peak_mapped_bytes_.load(std::memory_order_relaxed); }
  // Pages of heap memory resident now (mincore through the OS layer).
  std::uint64_t resident_bytes() const;
  std::uint64_t queue_bytes() const;
  std::size_t queue_length(std::uint32_t c) const { return queues_[c].size(); }
  // Chunks class c's queue can hold: its target never exceeds it.
  std::size_t queue_capacity(std::uint32_t c) const { return queues_[c].capacity(); }

  // --- Process-level support for the malloc shim (allocator/heap_fork.cpp) ---
  // Threaded mode: starts the collector thread unless it runs. One caller at
  // a time, holding no heap lock (creating a thread may call malloc).
  void start_collector();
  bool collector_running() const;
  // pthread_atfork handlers. prepare_fork waits for the collector to finish
  // its step and takes every heap lock; the parent releases them; the child
  // re-initialises them and forgets the collector thread (which does not
  // exist there) so that start_collector() starts a new one.
  void prepare_fork();
  void after_fork_parent();
  void after_fork_child();
  // Child after fork: unregisters a ThreadHeap whose thread does not exist
  // and was inside a heap call at fork time, so its state cannot be trusted.
  // Its chunks stay mapped (counted in mapped_bytes) and are never reused.
  void forget_thread(ThreadHeap* t);

  // --- What the collector and the threads' heaps work on ---
  // Per class: whether any thread has wanted chunks of it, and how many
  // allocations have found its queue empty (the collector reads the growth).
  struct ClassDemand {
    std::atomic<bool> active{false};
    std::atomic<std::uint64_t> empties{0};
  };
  ReadyQueue& queue(std::uint32_t c) { return queues_[c]; }
  const ReadyQueue& queue(std::uint32_t c) const { return queues_[c]; }
  ClassDemand& demand(std::uint32_t c) { return demand_[c]; }
  void note_demand(std::uint32_t c) {
    if (demand_[c].active.load(std::memory_order_relaxed)) return;
    if (!demand_[c].active.exchange(true, std::memory_order_relaxed)) active_classes_.fetch_add(1, std::memory_order_release);
  }
  bool active(std::uint32_t c) const { return demand_[c].active.load(std::memory_order_relaxed); }
  std::uint32_t active_class_count() const { return active_classes_.load(std::memory_order_acquire); }
  OsLayer& os() const { return os_; }
  const Clock& clock() const { return clock_; }
  CollectorGate& gate() { return gate_; }
  BlockMeta* map_block(std::uint32_t thread);
  void unmap_block(BlockMeta* block);
  void emit(const HeapEvent& e) const {
    if (observer_) [[unlikely]] observer_->on_event(e);
  }
  // Wakes a sleeping collector (counted and observed once per wake-up).
  void wake_collector(std::uint32_t thread);
  // Takes every published garbage list (each thread's ready bin, in
  // registration order, then the lists of exited threads) into `out`.
  void take_published_garbage(InternalVector<ChunkHeader*>& out);
  bool garbage_published() const;
  // Bytes of garbage published (or handed back by exited threads) and not
  // yet merged: what a lagging collector leaves behind.
  std::uint64_t unmerged_bytes() const { return unmerged_bytes_.load(std::memory_order_relaxed); }
  void note_published(std::uint64_t bytes) { unmerged_bytes_.fetch_add(bytes, std::memory_order_relaxed); }
  void note_merged(std::uint64_t bytes) { unmerged_bytes_.fetch_sub(bytes, std::memory_order_relaxed); }

 private:
  friend class ThreadHeap;
  friend class HeapChecker;

  // Dedicated mappings of requests above the largest class
  // (allocator/large_mappings.cpp). zeroed: the payload must read as zero
  // (a reused mapping is cleared; a fresh one already is).
  void* allocate_large(std::uint64_t n, std::uint64_t align, std::uint32_t thread, bool zeroed);
  // Resizes the mapping so that it holds n payload bytes without a copy: a
  // shrink cuts off its tail, a growth moves it with OsLayer::remap;
  // nullptr when the OS layer cannot (the caller then copies). The payload
  // keeps its offset in the mapping.
  void* reallocate_large(ChunkHeader* marker, std::uint64_t n, std::uint32_t thread);
  void free_large(ChunkHeader* marker, std::uint32_t thread);
  // A large mapping no longer in use (listed: still in larges_) goes into
  // the cache, the oldest cached ones making room, or back to the OS.
  void keep_or_unmap(LargeMeta* meta, bool listed, std::uint32_t thread);
  LargeMeta* large_meta(ChunkHeader* marker, const char* call) const;
  // A cached mapping of at least `bytes` whose base suits `align` (split
  // when over twice as large), or with `grow` the largest one to grow,
  // taken out of the cache (blocks_mutex_ held); nullptr if none serves.
  LargeMeta* take_cached_large(std::uint64_t bytes, std::uint64_t align, bool* grow);
  LargeMeta* remap_large(LargeMeta* meta, std::uint64_t bytes, bool reuse, std::uint32_t thread);
  void account_map(std::uint64_t bytes);
  void note_peak();
  void account_unmap(std::uint64_t bytes);
  // Aborts with a message naming the pointer when it is not a chunk this
  // heap handed out (validate_frees, and always in debug builds).
  void validate_free(const void* payload, const ChunkHeader* h) const;

  std::uint32_t register_thread(ThreadHeap* t);
  void retire_thread(ThreadHeap* t);
  void retire_counts(const ThreadHeap* t);  // threads_mutex_ held

  const Config config_;
  const SizeClasses classes_;
  const CollectorMode mode_;
  OsLayer& os_;
  HeapObserver* const observer_;
  const Clock& clock_;

  std::unique_ptr<ReadyQueue[]> queues_;  // one per class below the span class
  std::unique_ptr<ClassDemand[]> demand_;
  std::atomic<std::uint32_t> active_classes_{0};  // how many classes have seen demand

  mutable std::mutex blocks_mutex_;   // guards the block and large lists and stamps
  BlockMeta* blocks_ = nullptr;
  LargeMeta* larges_ = nullptr;
  // Freed large mappings kept for reuse, newest first, at most
  // large_cache_bytes in all; their bytes stay in large_bytes_.
  LargeMeta* large_cache_ = nullptr;
  std::uint64_t large_cached_bytes_ = 0, large_reuses_ = 0, large_remaps_ = 0;
  std::uint64_t next_stamp_ = 0;
  std::uint64_t block_count_ = 0, large_count_ = 0, large_bytes_ = 0, os_maps_ = 0, os_unmaps_ = 0;
  std::atomic<std::uint64_t> mapped_bytes_{0};
  std::atomic<std::uint64_t> peak_mapped_bytes_{0};

  mutable std::mutex threads_mutex_;  // guards the registry, orphans and retired counts
  InternalVector<ThreadHeap*> threads_;  // registration order (deterministic collector order)
  ChunkHeader* orphans_ = nullptr;    // garbage handed back by exited threads
  ThreadCounts retired_counts_;
  InternalArray<ClassCounts> retired_class_counts_;
  std::uint32_t next_thread_id_ = 0;

  CollectorGate gate_;
  std::atomic<std::uint64_t> unmerged_bytes_{0};
  mutable std::mutex peak_mutex_;  // a leaf: guards peak_footprint_
  FootprintBreakdown peak_footprint_;

  std::unique_ptr<Collector> collector_;
};

}  // namespace allocsim::allocator
