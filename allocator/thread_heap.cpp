#include "allocator/thread_heap.hpp"

#include <algorithm>
#include <cstring>

#include "allocator/collector.hpp"
#include "allocator/heap.hpp"

namespace allocsim::allocator {

ThreadHeap::ThreadHeap(Heap& heap)
    : heap_(heap),
      cache_slots_(static_cast<std::uint32_t>(std::min<std::uint64_t>(heap.config().thread_cache_slots, kMaxSlots))),
      // A batch fills the cache (the chunk handed out and cache_slots_ kept)
      // unless cache_batch asks for less.
      cache_batch_(static_cast<std::uint32_t>(heap.config().cache_batch == 0
                                                  ? cache_slots_ + 1
                                                  : std::min<std::uint64_t>(heap.config().cache_batch, cache_slots_ + 1))),
      free_to_cache_(heap.config().free_to_cache),
      backpressure_(heap.config().backpressure),
      assist_bytes_(heap.config().assist_bytes),
      validate_frees_(kDebugBuild || heap.config().validate_frees),
      largest_(heap.classes().largest()),
      ceil_class_(heap.classes().ceil_table()),
      floor_class_(heap.classes().floor_table()),
      caches_(heap.classes().count()) {
  id_ = heap_.register_thread(this);  // last: the collector may look at ready_bin_ from now on
}

ThreadHeap::~ThreadHeap() {
  for (std::uint32_t c = 0; c < caches_.size(); ++c) {
    ClassCache& cache = caches_[c];
    for (std::uint32_t k = cache.count.load(std::memory_order_relaxed); k > 0; --k) push_garbage(cache.slots[k - 1]);
    cache.count.store(0, std::memory_order_relaxed);
  }
  retire_fresh();
  heap_.retire_thread(this);
}

void* ThreadHeap::allocate(std::size_t n) {
  const std::uint64_t chunk = SizeClasses::chunk_for(n);
  if (chunk - 1 >= largest_) [[unlikely]]  // chunk == 0 (overflow) wraps around
    return chunk ? allocate_large(n, kUnit, false) : nullptr;
  const std::uint32_t c = ceil_class_[(chunk - 1) / kUnit];
  ClassCache& cache = caches_[c];
  cache.counters.mallocs.add();  // cache hits are derived in counts()
  if (const std::uint32_t k = cache.count.load(std::memory_order_relaxed)) [[likely]] {
    cache.count.store(k - 1, std::memory_order_relaxed);
    return cache.slots[k - 1]->payload();
  }
  return refill_or_fallback(c);
}

ThreadCounts ThreadHeap::counts() const {
  ThreadCounts t = counters_.snapshot();
  ClassCounts all;
  for (std::uint32_t c = 0; c < caches_.size(); ++c) all = all + class_counts(c);
#define ALLOCSIM_COPY_CLASS_COUNT(name, meaning) t.name = all.name;
  ALLOCSIM_CLASS_COUNTERS(ALLOCSIM_COPY_CLASS_COUNT)
#undef ALLOCSIM_COPY_CLASS_COUNT
  t.cache_hits = t.mallocs - t.queue_refills - t.queue_empty;
  t.frees = t.frees_to_cache + t.frees_to_bin;
  return t;
}

void* ThreadHeap::allocate_large(std::size_t n, std::size_t alignment, bool zeroed) {
  void* p = heap_.allocate_large(n, alignment, id_, zeroed);
  if (p) counters_.large_allocs.add();
  return p;
}

void* ThreadHeap::refill_or_fallback(std::uint32_t c) {
  heap_.note_demand(c);
  ChunkHeader* batch[kMaxSlots + 1];
  ClassCounters& counters = caches_[c].counters;
  if (const std::size_t got = heap_.queue(c).take(batch, cache_batch_)) {
    counters.queue_refills.add();
    return take_batch(c, batch, got);
  }
  counters.queue_empty.add();
  heap_.demand(c).empties.fetch_add(1, std::memory_order_relaxed);
  if (heap_.config_.wake_on_starve && heap_.gate().sleeping()) {
    counters_.wakeups_sent.add();
    heap_.wake_collector(id_);
  }
  // Mutator assist: rather than map fresh memory while garbage waits to be
  // merged or merged memory waits to be reused, merge it and refill from it
  // (the collector's own work, under its lock), and take what that queued.
  // A second round offers what the first could not publish: the ready bin
  // was still full (a collector that gets no CPU has not taken it), and
  // this thread's own pending list, however long, would otherwise wait
  // while it maps fresh memory.
  if (assist_bytes_ && needs_fresh_block(c) &&
      heap_.unmerged_bytes() + pending_bytes() + heap_.collector().merge_set_bytes() > assist_bytes_) {
    for (int round = 0; round < 2; ++round) {
      publish();
      heap_.collector().assist(c, assist_bytes_ / 2);
      if (const std::size_t got = heap_.queue(c).take(batch, cache_batch_)) {
        counters.assisted.add();
        return take_batch(c, batch, got);
      }
      if (!pending_) break;
    }
  }
  ChunkHeader* h = carve(c);
  if (!h) return nullptr;
  counters.fallbacks.add();
  heap_.emit({HeapEventKind::Fallback, c, id_, h->size(), 1, 0});
  return h->payload();
}

// Keeps all but the first chunk of a batch in the cache (pops follow queue order).
void* ThreadHeap::take_batch(std::uint32_t c, ChunkHeader** batch, std::size_t got) {
  counters_.queue_chunks.add(got);
  ClassCache& cache = caches_[c];
  std::uint32_t k = cache.count.load(std::memory_order_relaxed);
  for (std::size_t i = got; i-- > 1;) cache.slots[k++] = batch[i];
  cache.count.store(k, std::memory_order_relaxed);
  return batch[0]->payload();
}

bool ThreadHeap::needs_fresh_block(std::uint32_t c) const { return !fresh_ || fresh_->size() < heap_.classes_.size(c); }

// Cuts a chunk of class c from the front of this thread's fresh tail. Only
// this thread writes the tail's `next` and the headers beyond it.
ChunkHeader* ThreadHeap::carve(std::uint32_t c) {
  const std::uint64_t need = heap_.classes_.size(c);
  if (!fresh_ || fresh_->size() < need) {
    retire_fresh();
    BlockMeta* block = heap_.map_block(id_);
    if (!block) return nullptr;
    counters_.fresh_blocks.add();
    fresh_ = block->first();
  }
  ChunkHeader* h = fresh_;
  const std::uint64_t rest = h->size() - need;
  if (rest < kMinChunk) {  // the whole tail (at most 16 bytes more than asked)
    fresh_ = nullptr;
    fresh_bytes_.store(0, std::memory_order_relaxed);
    return h;
  }
  h->set_next(need);
  ChunkHeader* tail = ChunkHeader::at(h->bytes() + need);
  tail->set(std::uint32_t(need / kUnit), std::uint32_t(rest / kUnit));
  tail->successor()->set_prev(rest);
  heap_.os().wrote(tail, kHeaderBytes);
  fresh_ = tail;
  fresh_bytes_.store(rest, std::memory_order_relaxed);
  return h;
}

void ThreadHeap::retire_fresh() {
  if (!fresh_) return;
  fresh_bytes_.store(0, std::memory_order_relaxed);
  push_garbage(std::exchange(fresh_, nullptr));
}

void* ThreadHeap::allocate_zeroed(std::size_t n) {
  const std::uint64_t chunk = SizeClasses::chunk_for(n);
  if (chunk == 0) return nullptr;
  if (chunk > heap_.classes_.largest()) return allocate_large(n, kUnit, true);
  void* p = allocate(n);
  if (p) std::memset(p, 0, n);
  return p;
}

void* ThreadHeap::allocate_aligned(std::size_t n, std::size_t alignment) {
  if (alignment <= kUnit) return allocate(n);
  if (alignment & (alignment - 1) || n > (SIZE_MAX >> 2) || alignment > (SIZE_MAX >> 4)) return nullptr;
  const std::size_t padded = n + alignment - kUnit;  // room to slide the payload to the boundary
  if (SizeClasses::chunk_for(padded) > heap_.classes_.largest()) return allocate_large(n, alignment, false);
  char* p0 = static_cast<char*>(allocate(padded));
  if (!p0) return nullptr;
  const auto addr = reinterpret_cast<std::uintptr_t>(p0);
  const auto aligned = (addr + alignment - 1) & ~(std::uintptr_t(alignment) - 1);
  if (aligned == addr) return p0;
  // The gap is a positive multiple of 16, so a marker header fits in front.
  ChunkHeader::of_payload(reinterpret_cast<void*>(aligned))->set(kAlignedMark, std::uint32_t((aligned - addr) / kUnit));
  return reinterpret_cast<void*>(aligned);
}

std::size_t ThreadHeap::usable_size(const void* p) {
  auto* h = ChunkHeader::of_payload(const_cast<void*>(p));
  const std::uint32_t mark = h->prev_units();
  if (mark == kLargeMark) {
    auto* meta = reinterpret_cast<const LargeMeta*>(h->bytes() + kHeaderBytes - h->size());
    return meta->bytes - h->size();
  }
  if (mark == kAlignedMark) {
    const std::uint64_t shift = h->size();
    return ChunkHeader::of_payload(static_cast<char*>(const_cast<void*>(p)) - shift)->size() - kHeaderBytes - shift;
  }
  return h->size() - kHeaderBytes;
}

void* ThreadHeap::reallocate(void* p, std::size_t n) {
  if (!p) return allocate(n);
  if (n == 0) {
    deallocate(p);
    return nullptr;
  }
  const std::size_t have = usable_size(p);
  if (n <= have && n >= have / 2) return p;  // still fits without wasting half of it
  ChunkHeader* h = ChunkHeader::of_payload(p);
  if (h->prev_units() == kLargeMark && SizeClasses::chunk_for(n) > largest_)  // stays large: resize, no copy
    if (void* q = heap_.reallocate_large(h, n, id_)) return q;
  void* q = allocate(n);
  if (!q) return nullptr;
  std::memcpy(q, p, std::min(have, n));
  deallocate(p);
  return q;
}

void ThreadHeap::deallocate(void* p) {
  if (!p) return;
  ChunkHeader* h = ChunkHeader::of_payload(p);
  const std::uint32_t mark = h->prev_units();
  if (mark >= kLargeMark) [[unlikely]] {  // kLargeMark or kAlignedMark
    if (mark == kLargeMark) {
      counters_.large_frees.add();
      heap_.free_large(h, id_);
      return;
    }
    p = static_cast<char*>(p) - h->size();
    h = ChunkHeader::of_payload(p);
  }
  if (validate_frees_) [[unlikely]] heap_.validate_free(p, h);
  // Backpressure: a ready bin still full means the collector is behind;
  // the chunk stays with this thread instead of adding to its backlog.
  if (free_to_cache_ || (backpressure_ && ready_bin_.load(std::memory_order_relaxed))) {
    const std::uint64_t size = h->size();
    if (size <= largest_) {
      ClassCache& cache = caches_[floor_class_[size / kUnit]];
      if (const std::uint32_t k = cache.count.load(std::memory_order_relaxed); k < cache_slots_) {
        cache.slots[k] = h;
        cache.count.store(k + 1, std::memory_order_relaxed);
        counters_.frees_to_cache.add();
        return;
      }
    }
  }
  counters_.frees_to_bin.add();
  push_garbage(h);
  publish();
  if (heap_.gate().sleeping()) {
    counters_.wakeups_sent.add();
    heap_.wake_collector(id_);
  }
}

void ThreadHeap::push_garbage(ChunkHeader* h) {
  garbage_next(h) = pending_;
  pending_ = h;
  pending_bytes_.store(pending_bytes_.load(std::memory_order_relaxed) + h->size(), std::memory_order_relaxed);
}

void ThreadHeap::publish() {
  // The ready bin is set only when null, with one atomic store; the
  // collector empties it with one exchange. seq_cst pairs with the
  // collector's check of the bins after it raises its sleeping flag.
  if (pending_ && ready_bin_.load(std::memory_order_relaxed) == nullptr) {
    heap_.note_published(pending_bytes_.exchange(0, std::memory_order_relaxed));  // before the collector can see (and count off) the list
    ready_bin_.store(pending_, std::memory_order_seq_cst);
    pending_ = nullptr;
    counters_.bin_publishes.add();
  }
}

void ThreadHeap::flush() {
  publish();
  if (heap_.gate().sleeping()) {
    counters_.wakeups_sent.add();
    heap_.wake_collector(id_);
  }
}

ChunkHeader* ThreadHeap::take_all_garbage() {
  heap_.note_published(pending_bytes_.exchange(0, std::memory_order_relaxed));  // the ready bin's were counted when published
  ChunkHeader* list = ready_bin_.exchange(nullptr, std::memory_order_acq_rel);
  if (pending_) {
    ChunkHeader* last = pending_;
    while (garbage_next(last)) last = garbage_next(last);
    garbage_next(last) = list;
    list = std::exchange(pending_, nullptr);
  }
  return list;
}

}  // namespace allocsim::allocator
