#include "allocator/collector.hpp"

#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "allocator/thread_heap.hpp"

namespace allocsim::allocator {

Collector::Collector(Heap& heap) : heap_(heap), config_(heap.config()), classes_(heap.classes()) {
  for (std::uint32_t c = 0; c <= classes_.count(); ++c)
    sets_.push_back(std::make_unique<MergeSet>(config_.hash, merge_counters_));
  oldest_ = std::make_unique<OldestIndex[]>(classes_.count() + 1);
  state_.resize(classes_.count());
  starved_.assign(classes_.count(), false);
  // Intervals are aligned to multiples of adapt_interval_ns on the clock, so
  // every class closes its intervals at the same instants.
  const std::uint64_t now = heap_.clock().now_ns();
  for (std::uint32_t c = 0; c < classes_.count(); ++c) {
    ClassQueueState& s = state_[c];
    s.target = s.peak_target = std::min(config_.queue_initial, cap(c));
    s.interval_start = now - now % config_.adapt_interval_ns;
  }
}

Collector::~Collector() { stop_thread(); }

CollectorCounts Collector::counts() const {
  CollectorCounts c = counters_.snapshot();
  c.hash_lookups = merge_counters_.lookups.get();
  c.hash_inserts = merge_counters_.inserts.get();
  c.hash_erases = merge_counters_.erases.get();
  c.hash_calls = merge_counters_.hash_calls.get();
  c.wakeups = heap_.gate().wakeups();
  return c;
}

ClassQueueState Collector::queue_state(std::uint32_t c) const { return state_[c]; }

StepResult Collector::step(std::uint64_t budget, bool may_sleep) {
  heap_.gate().awake();
  auto hash_ops = [&] { return merge_counters_.lookups.get() + merge_counters_.inserts.get() + merge_counters_.erases.get(); };
  const std::uint64_t hashed = hash_ops(), sorted = counters_.sorted_chunks.get(), mapped = counters_.blocks_mapped.get(),
                      queued = counters_.chunks_queued.get(), purges = counters_.purges.get();
  StepResult r = do_step(budget, may_sleep);
  r.hash_ops = hash_ops() - hashed;
  r.sorted_chunks = counters_.sorted_chunks.get() - sorted;
  r.blocks_mapped = counters_.blocks_mapped.get() - mapped;
  r.chunks_queued = counters_.chunks_queued.get() - queued;
  r.purges = counters_.purges.get() - purges;
  return r;
}

void Collector::stop_thread() {
  if (!thread_.joinable()) return;
  heap_.gate().stop(stop_);
  thread_.join();
  heap_.gate().awake();
}

// Mutator assist (assist_bytes): a thread that would map fresh memory
// while more than assist_bytes of garbage waits does the collector's work
// first, under the lock that keeps one step at a time: it merges garbage
// until no more than `goal` bytes wait, then refills its class's queue
// from free memory (its own set, or split from larger chunks). It maps
// nothing: if that finds nothing, the thread falls back to fresh memory.
std::uint64_t Collector::assist(std::uint32_t c, std::uint64_t goal) {
  std::lock_guard step(step_mutex_);
  heap_.note_demand(c);
  std::uint64_t units = 0;
  // Bins are taken before the goal is looked at: the caller's pending list,
  // however long, can be published only once its ready bin is empty, and a
  // collector that gets no CPU may leave a few bytes there for long.
  while (gather_bins(), heap_.unmerged_bytes() > goal) {
    const std::uint64_t merged = drain(config_.step_budget);
    if (!merged) break;  // what waits is in bins no step can take yet
    units += merged;
  }
  // At least a batch for the thread's cache, and no more than the ring holds.
  const std::uint64_t room = cap(c) - std::min<std::uint64_t>(cap(c), heap_.queue(c).size());
  const std::uint64_t want = std::min(room, std::max<std::uint64_t>(class_demand(c), config_.thread_cache_slots + 1));
  const std::uint64_t got = want ? refill(c, want, /*may_map=*/false) : 0;
  counters_.chunks_queued.add(got);
  units += got;
  counters_.assists.add();
  counters_.assist_units.add(units);
  counters_.work_units.add(units);
  return units;
}

void Collector::run_until_idle(std::uint64_t budget, std::uint64_t max_steps) {
  for (std::uint64_t i = 0; i < max_steps; ++i)
    if (do_step(budget).idle) return;
}

// Threaded driver. An idle pass first naps for collector_nap_us with the
// sleeping flag down (frees keep publishing, nobody pays for a wake-up),
// and only an idle pass after the nap sleeps on the condition variable.
void Collector::thread_main() {
  // The nap is short (tens of microseconds) and its length matters: Linux
  // stretches a timed sleep by the thread's timer slack (50 us by default),
  // so the nap would be twice what collector_nap_us says while threads
  // fall back. The collector's own slack is 1 ns.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  bool napped = false;
  while (!stop_.load()) {
    if (fork_pending_.load(std::memory_order_acquire)) {  // prepare_fork wants step_mutex_: let it have it
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      continue;
    }
    StepResult r;
    {
      std::lock_guard step(step_mutex_);  // prepare_fork waits here for a whole step
      const std::uint64_t start = heap_.clock().now_ns();
      r = do_step(config_.step_budget, napped || config_.collector_nap_us == 0);
      counters_.busy_ns.add(heap_.clock().now_ns() - start);
    }
    if (!r.idle) {
      napped = false;
      continue;
    }
    if (!heap_.gate().sleeping()) {  // idle, not yet asleep: nap once, then look again
      std::this_thread::sleep_for(std::chrono::microseconds(config_.collector_nap_us));
      napped = true;
      continue;
    }
    napped = false;
    const std::uint64_t now = heap_.clock().now_ns();  // a reclaim due then: look again, awake
    heap_.gate().wait(std::chrono::nanoseconds(r.wake_at_ns == kNoWake ? -1 : r.wake_at_ns > now ? std::int64_t(r.wake_at_ns - now) : 0),
                      stop_);
  }
}

// One pass = drain all garbage, then visit every class once. A step does
// at most `budget` units and the next step resumes where it stopped.
StepResult Collector::do_step(std::uint64_t budget, bool may_sleep) {
  counters_.steps.add();
  now_ = heap_.clock().now_ns();
  gather_bins();
  if (class_cursor_ == 0) refresh_active_classes();
  // Queues that ran empty are judged and refilled in every step, however
  // much garbage waits: adapting must not wait for the backlog to drain.
  std::uint64_t units = serve_starving(budget / 4);
  units += drain(budget - std::min(budget, units));
  bool finished = !inbox_ && backlog_next_ == backlog_.size();
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
  if (idle) {
    result.idle = may_sleep ? try_sleep() : true;
    if (result.idle) result.wake_at_ns = next_reclaim_due();
  }
  return result;
}

// Merges up to `budget` chunks of the garbage taken from bins; returns how many.
std::uint64_t Collector::drain(std::uint64_t budget) {
  std::uint64_t drained = 0, bytes = 0;
  while (drained < budget && (inbox_ || next_inbox())) {
    ChunkHeader* c = inbox_;
    inbox_ = garbage_next(c);
    if (inbox_) prefetch_neighbours(inbox_);
    bytes += c->size();
    merge_in(c);
    ++drained;
  }
  counters_.chunks_drained.add(drained);
  heap_.note_merged(bytes);
  return drained;
}

// Classes without demand are neither refilled nor adapted, so a pass only
// visits the ones that have had some; the list changes rarely.
void Collector::refresh_active_classes() {
  if (heap_.active_class_count() == active_.size()) return;
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

void Collector::gather_bins() { heap_.take_published_garbage(backlog_); }

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
  return heap_.garbage_published() || inbox_ != nullptr || backlog_next_ != backlog_.size();
}

bool Collector::try_sleep() {
  if (!heap_.gate().try_sleep([&] { return has_input(); })) return false;
  counters_.sleeps.add();
  heap_.emit({HeapEventKind::CollectorSleep, kNoClass, kCollectorThread, 0, 0, 0});
  return true;
}

void Collector::merge_in(ChunkHeader* chunk) {
  std::uint64_t unreleased = chunk->size();
  if (config_.coalesce) {
    chunk = coalesce(chunk, &unreleased);
    if (chunk->prev_units() == 0 && chunk->successor()->next.load(std::memory_order_relaxed) == 0 &&
        should_release()) {
      counters_.blocks_released.add();
      counters_.released_bytes.add(config_.block_bytes);
      heap_.unmap_block(BlockMeta::of(chunk, config_.block_bytes));
      return;
    }
  }
  release_pages(chunk, unreleased);
  file(chunk);
}

// A free chunk of at least release_min() bytes in a merge set carries a
// word after its hooks: a tag and how many of its bytes were freed since
// its pages were last given back. A smaller chunk, or one without the tag,
// counts whole.
namespace {
constexpr std::uint64_t kReleaseTag = 0x5245ull << 48;  // "RE"
constexpr std::uint64_t kReleaseBytes = (1ull << 48) - 1;
std::uint64_t& release_word(ChunkHeader* h) { return *reinterpret_cast<std::uint64_t*>(h->bytes() + kMinChunk); }
}  // namespace

inline std::uint64_t Collector::release_min() const {
  return config_.purge_min_bytes ? std::max<std::uint64_t>(config_.purge_min_bytes, kMinChunk + 8) : classes_.largest();
}

inline std::uint64_t Collector::unreleased_bytes(ChunkHeader* h) const {
  if (h->size() < release_min()) return h->size();
  const std::uint64_t w = release_word(h);
  return (w & ~kReleaseBytes) == kReleaseTag ? std::min(w & kReleaseBytes, h->size()) : h->size();
}

inline void Collector::set_unreleased(ChunkHeader* h, std::uint64_t bytes) {
  release_word(h) = kReleaseTag | std::min(bytes, kReleaseBytes);
}

// The seed's merge: look for the physical predecessor in its merge set, then
// the successor; unlink and absorb whichever is there.
ChunkHeader* Collector::coalesce(ChunkHeader* chunk, std::uint64_t* unreleased) {
  bool merged = false;
  if (chunk->prev_units() != 0) {
    ChunkHeader* p = chunk->predecessor();
    const std::uint32_t pc = classes_.floor_class(p->size());
    if (sets_[pc]->contains(p)) {
      *unreleased += unreleased_bytes(p);
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
      *unreleased += unreleased_bytes(s);
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
  const bool empty = heap_.queue(top).size() == 0;
  switch (config_.release_rule) {
    case ReleaseRule::NoDemand: return !(empty && heap_.active(top));
    case ReleaseRule::Literal: return empty;
    case ReleaseRule::Always: return true;
    case ReleaseRule::Never: return false;
  }
  return false;
}

// "If a chunk reaches the page size ... release it back to the OS", for
// chunks short of a whole block: once a page-size class's worth of its
// bytes has been freed since it last gave pages back, the whole pages
// inside it go back with madvise (keeping the page with its header, hooks
// and release word). At most one call per page-size class of frees.
void Collector::release_pages(ChunkHeader* chunk, std::uint64_t unreleased) {
  if (chunk->size() < release_min()) return;
  if (unreleased < release_min() || !should_release()) {
    set_unreleased(chunk, unreleased);
    return;
  }
  set_unreleased(chunk, 0);
  const std::uintptr_t page = heap_.os().page_size();
  const auto start = reinterpret_cast<std::uintptr_t>(chunk->bytes());
  const std::uintptr_t begin = (start + kMinChunk + 8 + page - 1) & ~(page - 1);
  const std::uintptr_t end = (start + chunk->size()) & ~(page - 1);
  if (end <= begin) return;
  heap_.os().purge(reinterpret_cast<void*>(begin), end - begin);
  counters_.purges.add();
  counters_.purged_bytes.add(end - begin);
  counters_.released_bytes.add(end - begin);
  heap_.emit({HeapEventKind::Purge, kNoClass, kCollectorThread, end - begin, 1, 0});
}

void Collector::file(ChunkHeader* chunk) {
  const std::uint32_t c = classes_.floor_class(chunk->size());
  // "Store the result back ... after checking to see if the queue for that
  // size class is waiting for data": waiting = below its target.
  if (config_.hand_off && c < classes_.span_class() && class_demand(c) > 0 && heap_.queue(c).push(chunk)) {
    counters_.hand_offs.add();
    counters_.chunks_queued.add();
    state_[c].refilled = true;
    heap_.emit({HeapEventKind::HandOff, c, kCollectorThread, chunk->size(), 1, 0});
    return;
  }
  add_free(c, chunk);
}

inline std::uint64_t Collector::class_demand(std::uint32_t c) const {
  if (!heap_.active(c)) return 0;
  const std::uint64_t cap = std::min<std::uint64_t>(state_[c].target, heap_.queue(c).capacity());
  const std::uint64_t have = heap_.queue(c).size();
  return cap > have ? cap - have : 0;
}

inline bool Collector::class_needs(std::uint32_t c) const { return class_demand(c) > 0 && !starved_[c]; }

std::uint64_t Collector::starving(std::uint32_t c) {
  ClassQueueState& s = state_[c];
  const std::uint64_t empties = heap_.demand(c).empties.load(std::memory_order_relaxed);
  const std::uint64_t fresh = empties - s.seen_empties;
  s.seen_empties = empties;
  return fresh ? fresh : heap_.queue(c).size() == 0 ? 1 : 0;
}

// Garbage can arrive faster than steps drain it, and a pass (with its
// refills) waits for the drain; threads meanwhile fall back on every
// allocation. So every step first grows and refills, from what is merged
// already, the queues that ran empty.
std::uint64_t Collector::serve_starving(std::uint64_t budget) {
  std::uint64_t units = 0;
  for (std::uint32_t i = 0; i < active_.size() && units < budget; ++i) {
    const std::uint32_t c = active_[i];
    const std::uint64_t findings = starving(c);
    if (!findings) continue;
    found_empty(c, findings);
    units += refill_to_target(c, std::min(class_demand(c), budget - units));
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
  const std::uint64_t got = refill_to_target(c, want);
  if (got < want) starved_[c] = true;  // nothing more to be had this pass
  return units + got;
}

// Once per pass, for every class with demand: an empty finding grows the
// target at once; intervals that have ended are judged. The common case
// (neither) is kept small enough to inline; the findings are out of line.
inline std::uint64_t Collector::adapt_target(std::uint32_t c) {
  ClassQueueState& s = state_[c];
  if (const std::uint64_t findings = starving(c)) found_empty(c, findings);
  else s.low_water = std::min<std::uint64_t>(s.low_water, heap_.queue(c).size());
  return now_ - s.interval_start >= config_.adapt_interval_ns ? close_intervals(c) : 0;
}

// "If it ever empties then the next time you fill it you should fill it
// fuller than the last time": each allocation that found the queue empty
// is an empty finding and grows the target by queue_grow_step, so a queue
// grows by as much as it ran short, and (one growth per refill) only when
// the collector refilled it since it last grew: a queue with nothing to be
// had does not grow on, its length is not what ran short.
void Collector::found_empty(std::uint32_t c, std::uint64_t findings) {
  ClassQueueState& s = state_[c];
  s.ran_empty = true;
  s.full_count = 0;
  s.empty_findings += findings;
  if (!config_.queue_adaptive || !s.refilled || s.target >= cap(c)) return;
  s.refilled = false;
  const std::uint64_t room = cap(c) - s.target;
  s.target += std::min(room, config_.queue_grow_step * std::min(findings, room));
  s.peak_target = std::max(s.peak_target, s.target);
  ++s.grow_events;
  counters_.queue_grows.add();
  pass_changed_targets_ = true;
  heap_.emit({HeapEventKind::QueueGrow, c, kCollectorThread, 0, findings, s.target});
}

bool Collector::interval_full(std::uint32_t c, std::uint64_t size) const {
  const ClassQueueState& s = state_[c];
  if (s.ran_empty || s.target == 0) return false;
  if (config_.full_rule == FullRule::LowWater) {
    const auto share = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(double(s.target) * config_.reclaim_fraction)));
    return std::min(s.low_water, size) >= share;
  }
  return heap_.queue(c).taken() == s.taken_at_start && size >= s.target;
}

// Ends the intervals that have passed since the last one ended (several
// when the collector slept through them: then all are full, or none is)
// and reclaims once per reclaim_after + 1 consecutive full intervals ("if
// full count > N then reclaim 25% and reset full count").
std::uint64_t Collector::close_intervals(std::uint32_t c) {
  ClassQueueState& s = state_[c];
  const std::uint64_t k = (now_ - s.interval_start) / config_.adapt_interval_ns;
  const bool full = interval_full(c, heap_.queue(c).size());
  s.interval_start += k * config_.adapt_interval_ns;
  std::uint64_t moved = 0;
  if (!full) {
    s.full_count = 0;
  } else {
    s.full_findings += k;
    s.full_count += k;
    while (config_.queue_adaptive && s.full_count > config_.reclaim_after && s.target > floor_target(c)) {
      s.full_count -= config_.reclaim_after + 1;
      moved += reclaim(c);
    }
  }
  s.taken_at_start = heap_.queue(c).taken();
  s.low_water = heap_.queue(c).size();
  s.ran_empty = false;
  return moved;
}

// The smallest target a reclaim leaves: queue_min, or half of what the
// ring holds when that is less, so that every class can shrink.
std::uint64_t Collector::floor_target(std::uint32_t c) const { return std::min(config_.queue_min, cap(c) / 2); }

// When the class's next reclaim is due if its queue stays full; never for a
// queue that cannot shrink. A sleeping collector wakes then, so queues
// shrink on time when the program stops freeing. An interval already spoilt
// is only ended on time (the count starts again after it).
std::uint64_t Collector::reclaim_due(std::uint32_t c) const {
  const ClassQueueState& s = state_[c];
  if (!config_.queue_adaptive || s.target <= floor_target(c)) return kNoWake;
  if (!interval_full(c, heap_.queue(c).size())) return s.interval_start + config_.adapt_interval_ns;
  return s.interval_start + (config_.reclaim_after + 1 - std::min(s.full_count, config_.reclaim_after)) * config_.adapt_interval_ns;
}

std::uint64_t Collector::next_reclaim_due() const {
  std::uint64_t due = kNoWake;
  for (const std::uint32_t c : active_) due = std::min(due, reclaim_due(c));
  return due;
}

std::uint64_t Collector::reclaim(std::uint32_t c) {
  ClassQueueState& s = state_[c];
  const std::uint64_t size = heap_.queue(c).size();
  const auto move = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(double(size) * config_.reclaim_fraction));
  const auto shrink = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(double(s.target) * config_.reclaim_fraction));
  s.target = std::max(floor_target(c), s.target - std::min(s.target, shrink));
  std::uint64_t moved = 0;
  ChunkHeader* batch[64];
  while (moved < move) {
    const std::size_t got = heap_.queue(c).take(batch, std::min<std::uint64_t>(64, move - moved));
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

// With assist_bytes set, no block is mapped for a refill while more than
// that much garbage waits: merging it comes first (the bound on memory).
std::uint64_t Collector::refill_to_target(std::uint32_t c, std::uint64_t want) {
  const bool may_map = !config_.assist_bytes || heap_.unmerged_bytes() <= config_.assist_bytes;
  const std::uint64_t got = want ? refill(c, want, may_map) : 0;
  counters_.chunks_queued.add(got);
  if (got) state_[c].refilled = true;
  return got;
}

void Collector::prefill() {
  for (std::uint32_t c = 0; c < classes_.count(); ++c) {
    if (config_.prefill == Prefill::None || (config_.prefill == Prefill::Small && classes_.size(c) > config_.small_limit))
      continue;
    heap_.note_demand(c);
    refill_to_target(c, class_demand(c));
  }
}

std::uint64_t Collector::refill(std::uint32_t c, std::uint64_t want, bool may_map) {
  std::uint64_t got = refill_from_own(c, want);
  if (got < want) got += refill_by_split(c, want - got, may_map && config_.refill_maps_blocks);
  return got;
}

std::uint64_t Collector::block_age_key(const ChunkHeader* h) const {
  const BlockMeta* b = BlockMeta::of(h, config_.block_bytes);
  return (b->stamp << 32) | (b->offset_of(h) / kUnit);
}

void Collector::add_free(std::uint32_t c, ChunkHeader* chunk) {
  free_bytes_.store(free_bytes_.load(std::memory_order_relaxed) + chunk->size(), std::memory_order_relaxed);
  sets_[c]->insert(chunk);
  if (oldest_[c].tracking()) oldest_[c].inserted(block_age_key(chunk), chunk);
}

void Collector::remove_free(std::uint32_t c, ChunkHeader* chunk) {
  free_bytes_.store(free_bytes_.load(std::memory_order_relaxed) - chunk->size(), std::memory_order_relaxed);
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
std::uint64_t Collector::refill_by_split(std::uint32_t c, std::uint64_t want, bool may_map) {
  std::uint64_t got = 0;
  while (got < want) {
    ChunkHeader* big = nullptr;
    for (std::uint32_t d = c + 1; d <= classes_.span_class() && !big; ++d) {
      if (!sets_[d]->empty()) big = take_free(d, 1);
    }
    if (!big) {
      if (!may_map) break;
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
    heap_.queue(c).push(h);
    h = next;
  }
  // The headers just written: every page of the pieces when they are no
  // larger than a page, else each piece's first.
  if (piece <= heap_.os().page_size()) heap_.os().wrote(big, n * piece);
  else for (ChunkHeader* p = big; p != h; p = p->successor()) heap_.os().wrote(p, kHeaderBytes);
  if (rest < kMinChunk) rest = 0;
  if (rest) {  // h is the remainder's header position
    h->set_next(rest);
    h->successor()->set_prev(rest);
    if (rest >= release_min()) set_unreleased(h, rest);  // its pages are not all known to be released
    heap_.os().wrote(h, kHeaderBytes);
    file(h);
  }
  if (n > 1 || rest) {
    counters_.splits.add();
    heap_.emit({HeapEventKind::Split, c, kCollectorThread, total, n, 0});
  }
  return n;
}

}  // namespace allocsim::allocator
