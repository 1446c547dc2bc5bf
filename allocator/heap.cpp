#include "allocator/heap.hpp"

#include <algorithm>
#include <cstdio>

#include "allocator/collector.hpp"
#include "allocator/fatal.hpp"
#include "allocator/mapping_list.hpp"
#include "allocator/thread_heap.hpp"

namespace allocsim::allocator {
namespace {

const Config& validated(const Config& c) {
  c.validate();
  return c;
}

}  // namespace

Heap::Heap(const Config& config, HeapOptions options)
    : config_(validated(config)),
      classes_(config_),
      mode_(options.mode),
      os_(options.os ? *options.os : system_os()),
      observer_(options.observer),
      clock_(options.clock ? *options.clock : steady_clock()),
      queues_(new ReadyQueue[classes_.count()]),
      demand_(new ClassDemand[classes_.count()]),
      retired_class_counts_(classes_.count()) {
  // A ring no larger than the queue may ever hold: a ring's slots are
  // touched all round as it wraps, so a bigger one would only cost RSS.
  // queue_max_bytes caps the ring, and so the target (a target the ring
  // cannot hold could never be found full).
  for (std::uint32_t c = 0; c < classes_.count(); ++c) {
    std::uint64_t capacity = config_.queue_max;
    if (config_.queue_max_bytes) capacity = std::min(capacity, std::max<std::uint64_t>(1, config_.queue_max_bytes / classes_.size(c)));
    queues_[c].init(capacity);
  }
  collector_ = std::make_unique<Collector>(*this);
  collector_->prefill();  // the seed's idle state, before any thread allocates
  if (mode_ == CollectorMode::Threaded && !options.start_collector_later) collector_->start_thread();
}

Heap::~Heap() {
  collector_.reset();
  std::lock_guard lock(blocks_mutex_);
  while (blocks_) {
    BlockMeta* b = blocks_;
    blocks_ = b->next;
    os_.unmap(b, b->bytes);
  }
  for (LargeMeta* list : {larges_, large_cache_})
    while (list) {
      LargeMeta* l = list;
      list = l->next;
      os_.unmap(l, l->bytes);
    }
}

void Heap::account_map(std::uint64_t bytes) {
  const auto now = mapped_bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  auto peak = peak_mapped_bytes_.load(std::memory_order_relaxed);
  while (now > peak)
    if (peak_mapped_bytes_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
      note_peak();
      return;
    }
}

void Heap::account_unmap(std::uint64_t bytes) { mapped_bytes_.fetch_sub(bytes, std::memory_order_relaxed); }

BlockMeta* Heap::map_block(std::uint32_t thread) {
  auto* b = static_cast<BlockMeta*>(os_.map(config_.block_bytes, config_.block_bytes));
  if (!b) return nullptr;
  b->magic = kBlockMagic;
  b->bytes = config_.block_bytes;
  const auto units = std::uint32_t(b->first_chunk_bytes() / kUnit);
  b->first()->set(0, units);
  b->sentinel()->set(units, 0);
  os_.wrote(b->sentinel(), kHeaderBytes);
  {
    std::lock_guard lock(blocks_mutex_);
    b->stamp = next_stamp_++;
    link_front(blocks_, b);
    ++block_count_;
    ++os_maps_;
  }
  account_map(b->bytes);
  emit({HeapEventKind::OsMap, kNoClass, thread, b->bytes, 1, b->stamp});
  return b;
}

void Heap::unmap_block(BlockMeta* b) {
  const std::uint64_t bytes = b->bytes, stamp = b->stamp;
  {
    std::lock_guard lock(blocks_mutex_);
    unlink(blocks_, b);
    --block_count_;
    ++os_unmaps_;
  }
  b->magic = 0;
  os_.unmap(b, bytes);
  account_unmap(bytes);
  emit({HeapEventKind::OsRelease, kNoClass, kCollectorThread, bytes, 1, stamp});
}

void Heap::wake_collector(std::uint32_t thread) {
  if (gate_.wake(mode_ == CollectorMode::Threaded)) emit({HeapEventKind::CollectorWake, kNoClass, thread, 0, 0, 0});
}

void Heap::take_published_garbage(InternalVector<ChunkHeader*>& out) {
  std::lock_guard lock(threads_mutex_);
  for (ThreadHeap* t : threads_)
    if (t->ready_bin_.load(std::memory_order_relaxed))
      if (ChunkHeader* list = t->ready_bin_.exchange(nullptr, std::memory_order_acq_rel)) out.push_back(list);
  if (orphans_) out.push_back(std::exchange(orphans_, nullptr));
}

// seq_cst loads: the collector's half of the gate's protocol (collector_gate.hpp).
bool Heap::garbage_published() const {
  std::lock_guard lock(threads_mutex_);
  for (const ThreadHeap* t : threads_)
    if (t->ready_bin_.load(std::memory_order_seq_cst)) return true;
  return orphans_ != nullptr;
}

std::uint32_t Heap::register_thread(ThreadHeap* t) {
  std::lock_guard lock(threads_mutex_);
  threads_.push_back(t);
  return next_thread_id_++;
}

void Heap::retire_thread(ThreadHeap* t) {
  {
    std::lock_guard lock(threads_mutex_);
    for (std::size_t i = 0; i < threads_.size(); ++i)
      if (threads_[i] == t) threads_.erase_at(i);
    if (ChunkHeader* garbage = t->take_all_garbage()) {
      ChunkHeader* last = garbage;
      while (garbage_next(last)) last = garbage_next(last);
      garbage_next(last) = orphans_;
      orphans_ = garbage;
    }
    retire_counts(t);
  }
  if (gate_.sleeping()) wake_collector(t->id());
}

void Heap::retire_counts(const ThreadHeap* t) {
  retired_counts_ = retired_counts_ + t->counts();
  for (std::uint32_t c = 0; c < classes_.count(); ++c) retired_class_counts_[c] = retired_class_counts_[c] + t->class_counts(c);
}

ClassCounts Heap::class_counts(std::uint32_t c) const {
  std::lock_guard lock(threads_mutex_);
  ClassCounts k = retired_class_counts_[c];
  for (const ThreadHeap* t : threads_) k = k + t->class_counts(c);
  return k;
}

HeapStats Heap::stats() const {
  HeapStats s;
  {
    std::lock_guard lock(threads_mutex_);
    s.threads = retired_counts_;
    for (const ThreadHeap* t : threads_) s.threads = s.threads + t->counts();
  }
  s.collector = collector_->counts();
  {
    std::lock_guard lock(blocks_mutex_);
    s.blocks = block_count_;
    s.large_mappings = large_count_;
    s.large_bytes = large_bytes_;
    s.large_cached_bytes = large_cached_bytes_;
    s.large_reuses = large_reuses_;
    s.large_remaps = large_remaps_;
    s.os_maps = os_maps_;
    s.os_unmaps = os_unmaps_;
  }
  s.mapped_bytes = mapped_bytes();
  s.peak_mapped_bytes = peak_mapped_bytes();
  s.queue_bytes = queue_bytes();
  return s;
}

std::uint64_t Heap::resident_bytes() const {
  std::lock_guard lock(blocks_mutex_);
  std::uint64_t pages = 0;
  for (const BlockMeta* b = blocks_; b; b = b->next) pages += os_.resident_pages(b, b->bytes);
  for (const LargeMeta* list : {larges_, large_cache_})
    for (const LargeMeta* l = list; l; l = l->next) pages += os_.resident_pages(l, l->bytes);
  return pages * os_.page_size();
}

std::uint64_t Heap::queue_bytes() const {
  std::uint64_t bytes = 0;
  // Only classes with demand are ever queued to; the others' rings (two
  // cache lines each) need not be read.
  for (std::uint32_t c = 0; c < classes_.count(); ++c)
    if (active(c)) bytes += queues_[c].size() * classes_.size(c);
  return bytes;
}

void Heap::validate_free(const void* payload, const ChunkHeader* h) const {
  const auto* block = BlockMeta::of(h, config_.block_bytes);
  bool known = false;
  {
    std::lock_guard lock(blocks_mutex_);
    for (const BlockMeta* b = blocks_; b && !known; b = b->next) known = b == block;
  }
  if (!known) fatal("allocsim: free(%p): not a pointer this heap handed out (no such block)", payload);
  const std::uint64_t offset = block->offset_of(h);
  auto* hh = const_cast<ChunkHeader*>(h);
  const std::uint64_t size = h->size();
  const char* why = nullptr;
  if (offset < BlockMeta::kFirstHeader || (offset - BlockMeta::kFirstHeader) % kUnit != 0) why = "misaligned";
  else if (size < kMinChunk || offset + size > block->bytes - kHeaderBytes) why = "bad chunk size";
  else if (hh->successor()->prev_units() != h->next.load(std::memory_order_relaxed)) why = "successor disagrees";
  else if (h->prev_units() != 0 && hh->predecessor()->size() != std::uint64_t(h->prev_units()) * kUnit)
    why = "predecessor disagrees";
  else if (h->prev_units() == 0 && offset != BlockMeta::kFirstHeader) why = "not a chunk start";
  if (why) fatal("allocsim: free(%p): not a pointer this heap handed out (%s)", payload, why);
}

std::string CheckReport::summary() const {
  char line[512];
  std::snprintf(line, sizeof line,
                "%s: in use %llu chunks/%llu B, cached %llu/%llu, queued %llu/%llu, binned %llu/%llu, "
                "merge sets %llu/%llu, fresh %llu/%llu, blocks %llu B, large %llu/%llu B (cached %llu/%llu B)",
                ok ? "ok" : "FAILED", (unsigned long long)in_use_chunks, (unsigned long long)in_use_bytes,
                (unsigned long long)cached_chunks, (unsigned long long)cached_bytes,
                (unsigned long long)queued_chunks, (unsigned long long)queued_bytes,
                (unsigned long long)binned_chunks, (unsigned long long)binned_bytes,
                (unsigned long long)merge_set_chunks, (unsigned long long)merge_set_bytes,
                (unsigned long long)fresh_chunks, (unsigned long long)fresh_bytes,
                (unsigned long long)block_bytes, (unsigned long long)large_mappings,
                (unsigned long long)large_bytes, (unsigned long long)large_cached,
                (unsigned long long)large_cached_bytes);
  std::string s = line;
  for (const auto& e : errors) s += "\n  " + e;
  return s;
}

}  // namespace allocsim::allocator
