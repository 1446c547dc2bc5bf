#pragma once
// A mutator's context: its caches, its garbage bin and its fresh region.
// Every call on one ThreadHeap must come from one thread at a time (an OS
// thread, or a virtual thread of the deterministic replay); any number of
// ThreadHeaps of one Heap run concurrently.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "allocator/chunk.hpp"
#include "allocator/counters.hpp"
#include "allocator/internal_memory.hpp"

namespace allocsim::allocator {

class Heap;

#ifdef NDEBUG
inline constexpr bool kDebugBuild = false;
#else
inline constexpr bool kDebugBuild = true;
#endif

class ThreadHeap {
 public:
  explicit ThreadHeap(Heap& heap);
  // Hands the cache, the fresh tail and all garbage back to the heap.
  ~ThreadHeap();
  ThreadHeap(const ThreadHeap&) = delete;
  ThreadHeap& operator=(const ThreadHeap&) = delete;

  // nullptr when the request cannot be mapped; never throws.
  void* allocate(std::size_t n);
  void* allocate_zeroed(std::size_t n);
  // alignment: a power of two; 16 and below are the default alignment.
  void* allocate_aligned(std::size_t n, std::size_t alignment);
  // realloc semantics: (nullptr, n) allocates; keeps p when it still fits.
  // (p, 0) frees p and returns nullptr.
  void* reallocate(void* p, std::size_t n);
  void deallocate(void* p);
  static std::size_t usable_size(const void* p);

  // Publishes pending garbage if the ready bin is empty (also done by every free).
  void flush();

  std::uint32_t id() const { return id_; }
  // Every class allocation is a cache hit, a queue refill or an empty queue,
  // and every class free goes to the cache or the bin, so each fast path
  // counts one thing and the totals are derived.
  ThreadCounts counts() const;
  ClassCounts class_counts(std::uint32_t c) const { return caches_[c].counters.snapshot(); }
  // What this thread holds, for the footprint breakdown (any thread may ask).
  std::uint64_t cached_chunks(std::uint32_t c) const { return caches_[c].count.load(std::memory_order_relaxed); }
  std::uint64_t pending_bytes() const { return pending_bytes_.load(std::memory_order_relaxed); }
  std::uint64_t fresh_bytes() const { return fresh_bytes_.load(std::memory_order_relaxed); }

 private:
  friend class Heap;
  friend class HeapChecker;

  static constexpr std::size_t kMaxSlots = 64;
  // count is written by the owner only; relaxed atomic so that a report
  // (the footprint breakdown) may read it from another thread.
  struct ClassCache {
    std::atomic<std::uint32_t> count;
    ClassCounters counters;  // beside count: the fast path's one increment finds its line there
    ChunkHeader* slots[kMaxSlots];
  };

  void* refill_or_fallback(std::uint32_t c);
  void* take_batch(std::uint32_t c, ChunkHeader** batch, std::size_t got);
  bool needs_fresh_block(std::uint32_t c) const;
  void* allocate_large(std::size_t n, std::size_t alignment, bool zeroed);
  ChunkHeader* carve(std::uint32_t c);
  void retire_fresh();
  void push_garbage(ChunkHeader* h);
  void publish();
  ChunkHeader* take_all_garbage();

  Heap& heap_;
  std::uint32_t id_ = 0;
  const std::uint32_t cache_slots_;
  const std::uint32_t cache_batch_;
  const bool free_to_cache_;     // hot config, read without going through heap_
  const bool backpressure_;
  const std::uint64_t assist_bytes_;
  const bool validate_frees_;
  const std::uint64_t largest_;  // largest class size
  const std::uint8_t* const ceil_class_;   // SizeClasses' tables, one load nearer
  const std::uint8_t* const floor_class_;
  InternalArray<ClassCache> caches_;
  ChunkHeader* pending_ = nullptr;               // garbage not yet published (linked through payloads)
  std::atomic<std::uint64_t> pending_bytes_{0};  // its bytes (owner writes; relaxed for reports)
  std::atomic<ChunkHeader*> ready_bin_{nullptr}; // published garbage; the collector takes it
  ChunkHeader* fresh_ = nullptr;                 // untouched tail of this thread's fresh block
  std::atomic<std::uint64_t> fresh_bytes_{0};    // its size (owner writes; relaxed for reports)
  ThreadCounters counters_;
};

// The garbage-bin link lives in the first payload word of a free chunk.
inline ChunkHeader*& garbage_next(ChunkHeader* h) { return *static_cast<ChunkHeader**>(h->payload()); }

}  // namespace allocsim::allocator
