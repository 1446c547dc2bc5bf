// Heap::check(): the whole-heap validity walk. Every chunk of every block
// is either in use or in exactly one free place, headers agree with their
// neighbours, sizes add up to the block, and the mapped total is right.
#include <cstdarg>
#include <cstdio>
#include <unordered_map>

#include "allocator/collector.hpp"
#include "allocator/heap.hpp"
#include "allocator/thread_heap.hpp"

namespace allocsim::allocator {

class HeapChecker {
 public:
  explicit HeapChecker(const Heap& heap) : heap_(heap), classes_(heap.classes_) {}

  CheckReport run() {
    {
      std::lock_guard lock(heap_.threads_mutex_);
      note_threads();
      note_list(heap_.orphans_, Place::Binned);
    }
    const Collector& collector = *heap_.collector_;
    note_list(collector.inbox_, Place::Binned);
    for (std::size_t i = collector.backlog_next_; i < collector.backlog_.size(); ++i)
      note_list(collector.backlog_[i], Place::Binned);
    note_queues();
    note_merge_sets();
    std::lock_guard lock(heap_.blocks_mutex_);
    std::uint64_t mapped = 0;
    for (const BlockMeta* b = heap_.blocks_; b; b = b->next) mapped += walk_block(b);
    for (const LargeMeta* l = heap_.larges_; l; l = l->next) {
      if (l->magic != kLargeMagic) error("large mapping %p has a bad magic", (const void*)l);
      ++r_.large_mappings;
      r_.large_bytes += l->bytes;
      mapped += l->bytes;
    }
    std::uint64_t cached_bytes = 0;
    for (const LargeMeta* l = heap_.large_cache_; l; l = l->next) {
      if (l->magic != kLargeCachedMagic) error("cached large mapping %p has a bad magic", (const void*)l);
      ++r_.large_mappings;
      ++r_.large_cached;
      r_.large_bytes += l->bytes;
      cached_bytes += l->bytes;
      mapped += l->bytes;
    }
    r_.large_cached_bytes = cached_bytes;
    if (cached_bytes != heap_.large_cached_bytes_ || cached_bytes > heap_.config_.large_cache_bytes)
      error("cached large mappings add up to %llu bytes, the heap counts %llu (bound %llu)",
            (unsigned long long)cached_bytes, (unsigned long long)heap_.large_cached_bytes_,
            (unsigned long long)heap_.config_.large_cache_bytes);
    if (r_.large_bytes != heap_.large_bytes_)
      error("large mappings add up to %llu bytes, the heap counts %llu", (unsigned long long)r_.large_bytes,
            (unsigned long long)heap_.large_bytes_);
    for (const auto& [h, e] : places_)
      if (!e.seen) error("chunk %p in %s is not a chunk of any block", (const void*)h, name(e.place));
    if (mapped != heap_.mapped_bytes())
      error("blocks and large mappings add up to %llu bytes, the heap counts %llu", (unsigned long long)mapped,
            (unsigned long long)heap_.mapped_bytes());
    return r_;
  }

 private:
  enum class Place : std::uint8_t { Cached, Queued, Binned, MergeSet, Fresh };
  struct Entry {
    Place place;
    std::uint32_t size_class;  // where a class applies
    bool seen = false;
  };
  static const char* name(Place p) {
    switch (p) {
      case Place::Cached: return "a thread cache";
      case Place::Queued: return "a ready queue";
      case Place::Binned: return "a garbage bin";
      case Place::MergeSet: return "a merge set";
      case Place::Fresh: return "a fresh tail";
    }
    return "?";
  }

  void error(const char* format, ...) __attribute__((format(printf, 2, 3))) {
    r_.ok = false;
    if (r_.errors.size() >= 20) return;
    char line[400];
    va_list args;
    va_start(args, format);
    std::vsnprintf(line, sizeof line, format, args);
    va_end(args);
    r_.errors.emplace_back(line);
  }

  void note(const ChunkHeader* h, Place p, std::uint32_t c = kNoClass) {
    auto [it, inserted] = places_.try_emplace(h, Entry{p, c});
    if (!inserted) error("chunk %p is in %s and also in %s", (const void*)h, name(it->second.place), name(p));
  }

  void note_list(ChunkHeader* h, Place p) {
    for (std::uint64_t n = 0; h; h = garbage_next(h)) {
      note(h, p);
      if (++n > (1ull << 40)) return error("a garbage list does not end");
    }
  }

  void note_threads() {
    for (ThreadHeap* t : heap_.threads_) {
      for (std::uint32_t c = 0; c < t->caches_.size(); ++c)
        for (std::uint32_t i = 0; i < t->caches_[c].count; ++i) note(t->caches_[c].slots[i], Place::Cached, c);
      note_list(t->pending_, Place::Binned);
      note_list(t->ready_bin_.load(), Place::Binned);
      if (t->fresh_) note(t->fresh_, Place::Fresh);
    }
  }

  void note_queues() {
    for (std::uint32_t c = 0; c < classes_.count(); ++c)
      heap_.queues_[c].for_each([&](ChunkHeader* h) { note(h, Place::Queued, c); });
  }

  void note_merge_sets() {
    for (std::uint32_t c = 0; c <= classes_.count(); ++c)
      heap_.collector_->sets_[c]->for_each([&](ChunkHeader* h) { note(h, Place::MergeSet, c); });
  }

  void tally(Place p, std::uint64_t size) {
    switch (p) {
      case Place::Cached: ++r_.cached_chunks, r_.cached_bytes += size; break;
      case Place::Queued: ++r_.queued_chunks, r_.queued_bytes += size; break;
      case Place::Binned: ++r_.binned_chunks, r_.binned_bytes += size; break;
      case Place::MergeSet: ++r_.merge_set_chunks, r_.merge_set_bytes += size; break;
      case Place::Fresh: ++r_.fresh_chunks, r_.fresh_bytes += size; break;
    }
  }

  // A chunk's size must suit the place it sits in.
  void check_class(const ChunkHeader* h, const Entry& e, std::uint64_t size) {
    if (e.size_class == kNoClass) return;
    if (e.place == Place::MergeSet && classes_.floor_class(size) != e.size_class)
      error("chunk %p of %llu bytes sits in merge set %u", (const void*)h, (unsigned long long)size, e.size_class);
    if (e.place != Place::MergeSet && size < classes_.size(e.size_class))
      error("chunk %p of %llu bytes is too small for class %u in %s", (const void*)h, (unsigned long long)size,
            e.size_class, name(e.place));
  }

  std::uint64_t walk_block(const BlockMeta* b) {
    r_.block_bytes += b->bytes;
    if (b->magic != kBlockMagic) {
      error("block %p has a bad magic", (const void*)b);
      return b->bytes;
    }
    auto* block = const_cast<BlockMeta*>(b);
    ChunkHeader* h = block->first();
    const ChunkHeader* sentinel = block->sentinel();
    if (h->prev_units() != 0) error("block #%llu: first chunk has prev %u, not 0", ull(b->stamp), h->prev_units());
    std::uint64_t sum = 0;
    bool prev_in_set = false;
    while (h != sentinel) {
      const std::uint64_t size = h->size();
      const std::uint64_t offset = block->offset_of(h);
      if (size < kMinChunk || offset + size > b->bytes - kHeaderBytes) {
        error("block #%llu offset %llu: chunk size %llu runs out of the block", ull(b->stamp), ull(offset), ull(size));
        return b->bytes;
      }
      ChunkHeader* next = h->successor();
      if (next->prev_units() != h->next.load()) {
        error("block #%llu offset %llu: next header's prev is %u, chunk's next is %u", ull(b->stamp),
              ull(offset + size), next->prev_units(), h->next.load());
      }
      sum += size;
      const bool in_set = visit(h, size);
      if (in_set && prev_in_set && heap_.config_.coalesce)
        error("block #%llu offset %llu: two adjacent chunks in merge sets were not coalesced", ull(b->stamp), ull(offset));
      prev_in_set = in_set;
      h = next;
    }
    if (sentinel->next.load() != 0) error("block #%llu: sentinel has next %u, not 0", ull(b->stamp), sentinel->next.load());
    if (sum != b->first_chunk_bytes())
      error("block #%llu: chunks add up to %llu bytes, expected %llu", ull(b->stamp), ull(sum), ull(b->first_chunk_bytes()));
    return b->bytes;
  }

  bool visit(ChunkHeader* h, std::uint64_t size) {
    auto it = places_.find(h);
    if (it == places_.end()) {
      ++r_.in_use_chunks;
      r_.in_use_bytes += size;
      return false;
    }
    it->second.seen = true;
    tally(it->second.place, size);
    check_class(h, it->second, size);
    return it->second.place == Place::MergeSet;
  }

  static unsigned long long ull(std::uint64_t v) { return v; }

  const Heap& heap_;
  const SizeClasses& classes_;
  CheckReport r_;
  std::unordered_map<const ChunkHeader*, Entry> places_;
};

CheckReport Heap::check() const { return HeapChecker(*this).run(); }

}  // namespace allocsim::allocator
