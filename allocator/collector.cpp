#include "allocator/collector.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "allocator/thread_heap.hpp"

namespace allocsim::allocator {

Collector::Collector(Heap& heap) : heap_(heap), config_(heap.config_), classes_(heap.classes_) {
  for (std::uint32_t c = 0; c <= classes_.count(); ++c)
    sets_.push_back(std::make_unique<MergeSet>(config_.hash, merge_counters_));
  oldest_ = std::make_unique<OldestIndex[]>(classes_.count() + 1);
  state_.resize(classes_.count());
  starved_.assign(classes_.count(), false);
  for (auto& s : state_) s.target = s.peak_target = config_.queue_initial;
}

Collector::~Collector() { stop_thread(); }

CollectorCounts Collector::counts() const {
  CollectorCounts c = counters_.snapshot();
  c.hash_lookups = merge_counters_.lookups.get();
  c.hash_inserts = merge_counters_.inserts.get();
  c.hash_erases = merge_counters_.erases.get();
  c.hash_calls = merge_counters_.hash_calls.get();
  c.wakeups = wakeups_.load(std::memory_order_relaxed);
  return c;
}

ClassQueueState Collector::queue_state(std::uint32_t c) const { return state_[c]; }

StepResult Collector::step(std::uint64_t budget) {
  heap_.sleeping_.store(false, std::memory_order_seq_cst);  // running, so awake
  auto hash_ops = [&] { return merge_counters_.lookups.get() + merge_counters_.inserts.get() + merge_counters_.erases.get(); };
  const std::uint64_t hashed = hash_ops(), sorted = counters_.sorted_chunks.get(), mapped = counters_.blocks_mapped.get(),
                      queued = counters_.chunks_queued.get();
  StepResult r = do_step(budget);
  r.hash_ops = hash_ops() - hashed;
  r.sorted_chunks = counters_.sorted_chunks.get() - sorted;
  r.blocks_mapped = counters_.blocks_mapped.get() - mapped;
  r.chunks_queued = counters_.chunks_queued.get() - queued;
  return r;
}

void Collector::stop_thread() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(heap_.sleep_mutex_);
    stop_.store(true);
  }
  wake_cv_.notify_all();
  thread_.join();
  heap_.sleeping_.store(false, std::memory_order_seq_cst);
}

void Collector::run_until_idle(std::uint64_t budget, std::uint64_t max_steps) {
  for (std::uint64_t i = 0; i < max_steps; ++i)
    if (do_step(budget).idle) return;
}

// Threaded driver. An idle pass first naps for collector_nap_us with the
// sleeping flag down (frees keep publishing, nobody pays for a wake-up),
// and only an idle pass after the nap sleeps on the condition variable.
void Collector::thread_main() {
  bool napped = false;
  while (!stop_.load()) {
    if (fork_pending_.load(std::memory_order_acquire)) {  // prepare_fork wants step_mutex_: let it have it
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      continue;
    }
    StepResult r;
    {
      std::lock_guard step(step_mutex_);  // prepare_fork waits here for a whole step
      r = do_step(config_.step_budget, napped || config_.collector_nap_us == 0);
    }
    if (!r.idle) {
      napped = false;
      continue;
    }
    if (!heap_.sleeping_.load()) {  // idle, not yet asleep: nap once, then look again
      std::this_thread::sleep_for(std::chrono::microseconds(config_.collector_nap_us));
      napped = true;
      continue;
    }
    napped = false;
    std::unique_lock lock(heap_.sleep_mutex_);
    wake_cv_.wait(lock, [&] { return !heap_.sleeping_.load() || stop_.load(); });
  }
}

// One pass = drain all garbage, then visit every class once. A step does
// at most `budget` units and the next step resumes where it stopped.
StepResult Collector::do_step(std::uint64_t budget, bool may_sleep) {
  counters_.steps.add();
  gather_bins();
  std::uint64_t units = 0;
  while (units < budget && (inbox_ || next_inbox())) {
    ChunkHeader* c = inbox_;
    inbox_ = garbage_next(c);
    if (inbox_) prefetch_neighbours(inbox_);
    merge_in(c);
    ++units;
  }
  counters_.chunks_drained.add(units);
  bool finished = !inbox_ && backlog_next_ == backlog_.size();
  if (class_cursor_ == 0) refresh_active_classes();
  if (!finished) units += refill_starving(budget / 4);
  while (finished && class_cursor_ < active_.size()) {
    const std::uint32_t c = active_[class_cursor_];
    units += visit_class(c, budget - std::min(budget, units));
    if (units >= budget && class_needs(c)) finished = false;
    else {
      ++class_cursor_;
      cursor_adapted_ = false;
    }
  }
  counters_.work_units.add(units);
  pass_units_ += units;
  StepResult result{.units = units};
  if (!finished) return result;
  class_cursor_ = 0;
  counters_.passes.add();
  result.pass_completed = true;
  const bool idle = pass_units_ == 0 && !pass_changed_targets_;
  pass_units_ = 0;
  pass_changed_targets_ = false;
  if (idle) result.idle = may_sleep ? try_sleep() : true;
  return result;
}

// Classes without demand are neither refilled nor adapted, so a pass only
// visits the ones that have had some; the list changes rarely.
void Collector::refresh_active_classes() {
  if (heap_.active_classes_.load(std::memory_order_acquire) == active_.size()) return;
  active_.clear();
  for (std::uint32_t c = 0; c < classes_.count(); ++c)
    if (heap_.active(c)) active_.push_back(c);
}

// Garbage reaches the collector long after its free, out of the cache, and
// so do the headers of each chunk's physical neighbours, which coalescing
// reads. While one chunk merges, the next one's neighbours (and the chunk
// after it) are fetched. Only hints: merging may change them first.
inline void Collector::prefetch_neighbours(ChunkHeader* next) {
  if (ChunkHeader* after = garbage_next(next)) __builtin_prefetch(after);
  __builtin_prefetch(next->successor());
  __builtin_prefetch(next->predecessor());
}

void Collector::gather_bins() {
  std::lock_guard lock(heap_.threads_mutex_);
  for (ThreadHeap* t : heap_.threads_)
    if (t->ready_bin_.load(std::memory_order_relaxed))
      if (ChunkHeader* list = t->ready_bin_.exchange(nullptr, std::memory_order_acq_rel)) backlog_.push_back(list);
  if (heap_.orphans_) backlog_.push_back(std::exchange(heap_.orphans_, nullptr));
}

bool Collector::next_inbox() {
  if (backlog_next_ == backlog_.size()) {
    backlog_.clear();
    backlog_next_ = 0;
    return false;
  }
  if (backlog_next_ >= 1024) {  // a collector that never catches up must not keep the spent front
    backlog_.erase_front(backlog_next_);
    backlog_next_ = 0;
  }
  inbox_ = backlog_[backlog_next_++];
  return true;
}

bool Collector::has_input() const {
  std::lock_guard lock(heap_.threads_mutex_);
  for (const ThreadHeap* t : heap_.threads_)
    if (t->ready_bin_.load(std::memory_order_seq_cst)) return true;
  return heap_.orphans_ != nullptr || inbox_ != nullptr || backlog_next_ != backlog_.size();
}

bool Collector::try_sleep() {
  heap_.sleeping_.store(true, std::memory_order_seq_cst);
  if (has_input()) {
    heap_.sleeping_.store(false, std::memory_order_seq_cst);
    return false;
  }
  counters_.sleeps.add();
  heap_.emit({HeapEventKind::CollectorSleep, kNoClass, kCollectorThread, 0, 0, 0});
  return true;
}

void Collector::merge_in(ChunkHeader* chunk) {
  if (config_.coalesce) {
    chunk = coalesce(chunk);
    if (chunk->prev_units() == 0 && chunk->successor()->next.load(std::memory_order_relaxed) == 0 &&
        should_release()) {
      counters_.blocks_released.add();
      heap_.unmap_block(BlockMeta::of(chunk, config_.block_bytes));
      return;
    }
  }
  maybe_purge(chunk);
  file(chunk);
}

// The seed's merge: look for the physical predecessor in its merge set, then
// the successor; unlink and absorb whichever is there.
ChunkHeader* Collector::coalesce(ChunkHeader* chunk) {
  bool merged = false;
  if (chunk->prev_units() != 0) {
    ChunkHeader* p = chunk->predecessor();
    const std::uint32_t pc = classes_.floor_class(p->size());
    if (sets_[pc]->contains(p)) {
      remove_free(pc, p);
      p->set_next(p->size() + chunk->size());
      chunk = p;
      merged = true;
      counters_.merges.add();
    }
  }
  ChunkHeader* s = chunk->successor();
  if (s->next.load(std::memory_order_relaxed) != 0) {  // not the block's sentinel
    const std::uint32_t sc = classes_.floor_class(s->size());
    if (sets_[sc]->contains(s)) {
      remove_free(sc, s);
      chunk->set_next(chunk->size() + s->size());
      merged = true;
      counters_.merges.add();
    }
  }
  chunk->successor()->set_prev(chunk->size());
  if (merged) heap_.emit({HeapEventKind::Merge, classes_.floor_class(chunk->size()), kCollectorThread, chunk->size(), 1, 0});
  return chunk;
}

bool Collector::should_release() const {
  const std::uint32_t top = classes_.count() - 1;  // the page-size class
  const bool empty = heap_.queues_[top].size() == 0;
  switch (config_.release_rule) {
    case ReleaseRule::NoDemand: return !(empty && heap_.active(top));
    case ReleaseRule::Literal: return empty;
    case ReleaseRule::Always: return true;
    case ReleaseRule::Never: return false;
  }
  return false;
}

void Collector::maybe_purge(ChunkHeader* chunk) {
  if (!config_.purge || chunk->size() < config_.purge_min_bytes) return;
  const std::uintptr_t page = heap_.os_.page_size();
  const auto start = reinterpret_cast<std::uintptr_t>(chunk->bytes());
  const std::uintptr_t begin = (start + kMinChunk + page - 1) & ~(page - 1);  // keep header and hooks
  const std::uintptr_t end = (start + chunk->size()) & ~(page - 1);
  if (end <= begin) return;
  heap_.os_.purge(reinterpret_cast<void*>(begin), end - begin);
  counters_.purges.add();
  counters_.purged_bytes.add(end - begin);
  heap_.emit({HeapEventKind::Purge, kNoClass, kCollectorThread, end - begin, 1, 0});
}

void Collector::file(ChunkHeader* chunk) {
  const std::uint32_t c = classes_.floor_class(chunk->size());
  // "Store the result back ... after checking to see if the queue for that
  // size class is waiting for data": waiting = below its target.
  if (config_.hand_off && c < classes_.span_class() && class_demand(c) > 0 && heap_.queues_[c].push(chunk)) {
    counters_.hand_offs.add();
    counters_.chunks_queued.add();
    heap_.emit({HeapEventKind::HandOff, c, kCollectorThread, chunk->size(), 1, 0});
    return;
  }
  add_free(c, chunk);
}

inline std::uint64_t Collector::class_demand(std::uint32_t c) const {
  if (!heap_.active(c)) return 0;
  const std::uint64_t cap = std::min<std::uint64_t>(state_[c].target, heap_.queues_[c].capacity());
  const std::uint64_t have = heap_.queues_[c].size();
  return cap > have ? cap - have : 0;
}

inline bool Collector::class_needs(std::uint32_t c) const { return class_demand(c) > 0 && !starved_[c]; }

// Garbage arrives faster than steps drain it, so the pass (and its refill
// phase) would not finish while threads carve fresh memory for every
// allocation. Empty queues that threads want get refilled anyway, from what
// is merged already.
std::uint64_t Collector::refill_starving(std::uint64_t budget) {
  std::uint64_t units = 0;
  for (std::uint32_t i = 0; i < active_.size() && units < budget; ++i) {
    const std::uint32_t c = active_[i];
    if (heap_.queues_[c].size() != 0) continue;
    const std::uint64_t got = refill(c, std::min(class_demand(c), budget - units));
    counters_.chunks_queued.add(got);
    units += got;
  }
  return units;
}

inline std::uint64_t Collector::visit_class(std::uint32_t c, std::uint64_t budget) {
  std::uint64_t units = 0;
  if (!cursor_adapted_) {
    cursor_adapted_ = true;
    starved_[c] = false;
    units += adapt_target(c);
  }
  const std::uint64_t want = std::min(class_demand(c), budget - std::min(budget, units));
  if (want == 0) return units;
  const std::uint64_t got = refill(c, want);
  if (got < want) starved_[c] = true;  // nothing more to be had this pass
  if (got) state_[c].refilled = true;
  counters_.chunks_queued.add(got);
  return units + got;
}

// The seed's adaptive target: empty -> grow by queue_grow_step; full more
// than reclaim_after times -> move reclaim_fraction back and shrink. Every
// pass visits every class with demand, so the common case (neither empty
// nor full) is kept small enough to inline; the findings are out of line.
inline std::uint64_t Collector::adapt_target(std::uint32_t c) {
  if (!heap_.active(c)) return 0;
  ClassQueueState& s = state_[c];
  const std::uint64_t size = heap_.queues_[c].size();
  // A thread that found the queue empty since the last visit counts as an
  // empty finding: the queue ran dry between passes.
  std::atomic<bool>& found = heap_.shared_[c].found_empty;
  const bool thread_found_empty = found.load(std::memory_order_relaxed) && found.exchange(false, std::memory_order_relaxed);
  const bool refilled = std::exchange(s.refilled, false);
  if (size == 0 || thread_found_empty) return found_empty(c);
  // Full means full and untouched: a queue that was refilled and taken from
  // since the last visit is in use, however full this pass finds it.
  const std::uint64_t taken = heap_.queues_[c].taken();
  const bool used = taken != s.seen_taken;
  s.seen_taken = taken;
  if (size < s.target || used || refilled) return 0;
  return found_full(c);
}

std::uint64_t Collector::found_empty(std::uint32_t c) {
  ClassQueueState& s = state_[c];
  s.full_count = 0;
  ++s.empty_findings;
  if (!config_.queue_adaptive || s.target >= config_.queue_max) return 0;
  s.target = std::min(config_.queue_max, s.target + config_.queue_grow_step);
  s.peak_target = std::max(s.peak_target, s.target);
  ++s.grow_events;
  counters_.queue_grows.add();
  pass_changed_targets_ = true;
  heap_.emit({HeapEventKind::QueueGrow, c, kCollectorThread, 0, 0, s.target});
  return 0;
}

std::uint64_t Collector::found_full(std::uint32_t c) {
  ClassQueueState& s = state_[c];
  ++s.full_findings;
  if (!config_.queue_adaptive || ++s.full_count <= config_.reclaim_after) return 0;
  s.full_count = 0;
  if (s.target <= config_.queue_min) return 0;  // cannot shrink: reclaiming would only churn
  const std::uint64_t moved = reclaim(c);
  s.seen_taken = heap_.queues_[c].taken();
  return moved;
}

std::uint64_t Collector::reclaim(std::uint32_t c) {
  ClassQueueState& s = state_[c];
  const std::uint64_t size = heap_.queues_[c].size();
  const auto move = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(double(size) * config_.reclaim_fraction));
  const auto shrink = static_cast<std::uint64_t>(double(s.target) * config_.reclaim_fraction);
  s.target = std::max(config_.queue_min, s.target - std::min(s.target, shrink));
  std::uint64_t moved = 0;
  ChunkHeader* batch[64];
  while (moved < move) {
    const std::size_t got = heap_.queues_[c].take(batch, std::min<std::uint64_t>(64, move - moved));
    if (!got) break;
    for (std::size_t i = 0; i < got; ++i) merge_in(batch[i]);
    moved += got;
  }
  ++s.reclaim_events;
  counters_.queue_reclaims.add();
  counters_.chunks_reclaimed.add(moved);
  pass_changed_targets_ = true;
  heap_.emit({HeapEventKind::QueueReclaim, c, kCollectorThread, moved * classes_.size(c), moved, s.target});
  return moved;
}

std::uint64_t Collector::refill(std::uint32_t c, std::uint64_t want) {
  std::uint64_t got = refill_from_own(c, want);
  if (got < want) got += refill_by_split(c, want - got);
  return got;
}

std::uint64_t Collector::block_age_key(const ChunkHeader* h) const {
  const BlockMeta* b = BlockMeta::of(h, config_.block_bytes);
  return (b->stamp << 32) | (b->offset_of(h) / kUnit);
}

void Collector::add_free(std::uint32_t c, ChunkHeader* chunk) {
  sets_[c]->insert(chunk);
  if (oldest_[c].tracking()) oldest_[c].inserted(block_age_key(chunk), chunk);
}

void Collector::remove_free(std::uint32_t c, ChunkHeader* chunk) {
  if (oldest_[c].tracking()) oldest_[c].erased(block_age_key(chunk));
  sets_[c]->erase(chunk);
}

// The seed's sort, done once per many refills: a scan of the whole set
// keeps the oldest max(want, kOldestBatch) sorted in oldest_[c], which
// then serves refills until it runs dry (counted as one sort of the set).
ChunkHeader* Collector::take_free(std::uint32_t c, std::uint64_t want) {
  constexpr std::size_t kOldestBatch = 64;
  MergeSet& set = *sets_[c];
  ChunkHeader* chunk = set.front();
  if (config_.oldest_first && set.size() > 1) {
    chunk = oldest_[c].oldest();
    if (!chunk) {
      scratch_.clear();
      set.for_each([&](ChunkHeader* h) { scratch_.push_back({block_age_key(h), h}); });
      counters_.sorts.add();
      counters_.sorted_chunks.add(scratch_.size());
      oldest_[c].rebuild(scratch_, std::max<std::size_t>(want, kOldestBatch));
      chunk = oldest_[c].oldest();
    }
  }
  remove_free(c, chunk);
  return chunk;
}

// Takes `want` chunks of the class's own merge set into its queue: the
// oldest blocks first when only some are wanted, all of them in arrival
// order when demand takes every one (or with oldest_first off).
std::uint64_t Collector::refill_from_own(std::uint32_t c, std::uint64_t want) {
  MergeSet& set = *sets_[c];
  std::uint64_t got = 0;
  if (config_.oldest_first && want < set.size()) {
    for (; got < want; ++got) carve_into_queue(c, take_free(c, want - got), 1);
    return got;
  }
  while (got < want && !set.empty()) {
    ChunkHeader* h = set.front();
    remove_free(c, h);
    got += carve_into_queue(c, h, 1);
  }
  return got;
}

// "If not enough are available then divide up chunks from the next size up";
// when no larger chunk is free either, map a block (refill_maps_blocks).
std::uint64_t Collector::refill_by_split(std::uint32_t c, std::uint64_t want) {
  std::uint64_t got = 0;
  while (got < want) {
    ChunkHeader* big = nullptr;
    for (std::uint32_t d = c + 1; d <= classes_.span_class() && !big; ++d) {
      if (!sets_[d]->empty()) big = take_free(d, 1);
    }
    if (!big) {
      if (!config_.refill_maps_blocks) break;
      BlockMeta* block = heap_.map_block(kCollectorThread);
      if (!block) break;
      counters_.blocks_mapped.add();
      big = block->first();
    }
    got += carve_into_queue(c, big, want - got);
  }
  return got;
}

// Cuts up to `want` chunks of class c from the front of free chunk `big`
// (owned by the collector) and queues them; the rest is filed again.
std::uint64_t Collector::carve_into_queue(std::uint32_t c, ChunkHeader* big, std::uint64_t want) {
  const std::uint64_t piece = classes_.size(c);
  const std::uint64_t total = big->size();
  const std::uint64_t n = std::min(want, total / piece);
  std::uint64_t rest = total - n * piece;
  ChunkHeader* h = big;
  for (std::uint64_t i = 0; i < n; ++i) {
    const bool last = i + 1 == n;
    const std::uint64_t size = last && rest < kMinChunk ? piece + rest : piece;
    h->set_next(size);
    ChunkHeader* next = h->successor();
    next->set_prev(size);
    heap_.queues_[c].push(h);
    h = next;
  }
  if (rest < kMinChunk) rest = 0;
  if (rest) {  // h is the remainder's header position
    h->set_next(rest);
    h->successor()->set_prev(rest);
    file(h);
  }
  if (n > 1 || rest) {
    counters_.splits.add();
    heap_.emit({HeapEventKind::Split, c, kCollectorThread, total, n, 0});
  }
  return n;
}

}  // namespace allocsim::allocator
