// Where the heap's memory is: a breakdown of the mapped bytes into the
// places a chunk can be (counters.hpp, ALLOCSIM_FOOTPRINT_PARTS), so that a
// reader can tell why the footprint grew: free memory waiting in queues or
// merge sets, garbage the collector has not merged yet, fallback blocks.
// Every figure is read without stopping the heap: each is exact for its
// own part, and in_use (the rest) absorbs the skew between them.
#include <algorithm>
#include <mutex>

#include "allocator/collector.hpp"
#include "allocator/heap.hpp"
#include "allocator/thread_heap.hpp"

namespace allocsim::allocator {

FootprintBreakdown Heap::footprint() const {
  FootprintBreakdown b;
  b.mapped = mapped_bytes();
  b.ready_queues = queue_bytes();
  b.merge_sets = collector_->merge_set_bytes();
  b.unmerged_garbage = unmerged_bytes();
  {
    std::lock_guard lock(threads_mutex_);
    for (const ThreadHeap* t : threads_) {
      for (std::uint32_t c = 0; c < classes_.count(); ++c) b.thread_caches += t->cached_chunks(c) * classes_.size(c);
      b.unmerged_garbage += t->pending_bytes();
      b.fresh_tails += t->fresh_bytes();
    }
  }
  {
    std::lock_guard lock(blocks_mutex_);
    b.large_mappings = large_bytes_;
  }
  b.metadata = internal_mapped_bytes();
  const std::uint64_t accounted = b.thread_caches + b.ready_queues + b.merge_sets + b.unmerged_garbage + b.fresh_tails + b.large_mappings;
  b.in_use = b.mapped - std::min(b.mapped, accounted);
  return b;
}

FootprintBreakdown Heap::peak_footprint() const {
  std::lock_guard lock(peak_mutex_);
  return peak_footprint_;
}

// Called when the mapping reaches a new peak (on the mapping thread, with no
// heap lock held). Concurrent peaks keep the larger.
void Heap::note_peak() {
  const FootprintBreakdown b = footprint();
  std::lock_guard lock(peak_mutex_);
  if (b.mapped >= peak_footprint_.mapped) peak_footprint_ = b;
}

}  // namespace allocsim::allocator
