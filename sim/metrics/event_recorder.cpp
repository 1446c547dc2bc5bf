#include "sim/metrics/event_recorder.hpp"

#include <algorithm>

namespace allocsim::sim {
namespace {

using allocator::HeapEventKind;
constexpr int kBurstKind = allocator::kHeapEventKinds;  // the log's own kind: fallback_burst

// The kinds that go to the log; the others (splits, merges, hand-offs) are
// far too frequent and are only counted.
bool logged_kind(HeapEventKind k) {
  switch (k) {
    case HeapEventKind::QueueGrow:
    case HeapEventKind::QueueReclaim:
    case HeapEventKind::OsMap:
    case HeapEventKind::OsRelease:
    case HeapEventKind::Purge:
    case HeapEventKind::CollectorSleep:
    case HeapEventKind::CollectorWake: return true;
    default: return false;
  }
}

std::string kind_name(int k) {
  return k == kBurstKind ? "fallback_burst" : std::string(allocator::event_name(static_cast<HeapEventKind>(k)));
}

}  // namespace

EventRecorder::EventRecorder(std::uint64_t limit_per_kind, std::uint64_t burst_gap_ns)
    : limit_(limit_per_kind), burst_gap_(burst_gap_ns) {}

void EventRecorder::use_wall_clock(std::chrono::steady_clock::time_point start) {
  wall_ = true;
  start_ = start;
}

std::uint64_t EventRecorder::now() const {
  if (!wall_) return now_;
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count());
}

void EventRecorder::on_event(const allocator::HeapEvent& e) {
  if (!wall_) return record(e, now_);
  std::lock_guard lock(mutex_);
  record(e, now());
}

void EventRecorder::record(const allocator::HeapEvent& e, std::uint64_t now) {
  ++totals_[static_cast<int>(e.kind)];
  if (e.kind == HeapEventKind::CollectorWake) woken_ = true;
  if (e.kind == HeapEventKind::Fallback) return fallback(e, now);
  if (!logged_kind(e.kind)) return;
  LoggedEvent entry;
  entry.time_ns = now;
  entry.kind = allocator::event_name(e.kind);
  if (e.size_class != allocator::kNoClass) entry.size_class = e.size_class;
  if (e.thread != allocator::kCollectorThread) entry.thread = e.thread;
  entry.bytes = e.bytes;
  entry.count = e.count;
  entry.value = e.value;
  log(std::move(entry), static_cast<int>(e.kind));
}

void EventRecorder::fallback(const allocator::HeapEvent& e, std::uint64_t now) {
  if (burst_open_ && now - burst_.end <= burst_gap_) {
    burst_.end = now;
    burst_.bytes += e.bytes;
    ++burst_.count;
    return;
  }
  close_burst();
  burst_open_ = true;
  burst_ = Burst{now, now, e.bytes, 1, e.size_class, e.thread};
}

void EventRecorder::close_burst() {
  if (!burst_open_) return;
  burst_open_ = false;
  ++bursts_;
  LoggedEvent entry;
  entry.time_ns = burst_.start;
  entry.kind = "fallback_burst";
  entry.size_class = burst_.size_class;  // of the burst's first fallback
  entry.thread = burst_.thread;
  entry.bytes = burst_.bytes;
  entry.count = burst_.count;
  entry.end_ns = burst_.end;
  log(std::move(entry), kBurstKind);
}

void EventRecorder::log(LoggedEvent entry, int kind) {
  if (logged_[kind] >= limit_) {
    ++dropped_[kind];
    return;
  }
  ++logged_[kind];
  entries_.push_back(std::move(entry));
}

EventLog EventRecorder::finish() {
  if (wall_) {
    std::lock_guard lock(mutex_);
    close_burst();
  } else {
    close_burst();
  }
  EventLog out;
  out.entries = entries_;
  // Bursts are logged when they close, so they can land behind later events.
  std::stable_sort(out.entries.begin(), out.entries.end(),
                   [](const LoggedEvent& a, const LoggedEvent& b) { return a.time_ns < b.time_ns; });
  for (int k = 0; k < allocator::kHeapEventKinds; ++k) out.totals.emplace_back(kind_name(k), totals_[k]);
  out.totals.emplace_back(kind_name(kBurstKind), bursts_);
  for (int k = 0; k <= allocator::kHeapEventKinds; ++k)
    if (dropped_[k]) out.dropped.emplace_back(kind_name(k), dropped_[k]);
  return out;
}

}  // namespace allocsim::sim
