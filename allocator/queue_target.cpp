// The ready queues' targets: how the collector grows a queue that ran
// empty, judges refill intervals full, and reclaims from a queue that
// stayed full (docs/allocator.md, "Ready queues and targets").
#include <algorithm>
#include <cmath>

#include "allocator/collector.hpp"
#include "allocator/heap.hpp"

namespace allocsim::allocator {

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

}  // namespace allocsim::allocator
