#pragma once
// Listens to the allocator core (allocator/observer.hpp) during a replay:
// counts every event kind, keeps a bounded, timestamped log of the ones a
// researcher looks at (queue grow and reclaim, OS map/release, purge,
// collector sleep/wake, and fallbacks folded into bursts), and tells the
// virtual replay when a free or a starving allocation woke the collector.
//
// Time comes from the replay: set_now() in virtual mode, or a wall clock
// started with use_wall_clock() in threaded mode, where events arrive from
// several threads at once and the recorder locks.
#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

#include "allocator/observer.hpp"
#include "sim/metrics/metrics.hpp"

namespace allocsim::sim {

class EventRecorder final : public allocator::HeapObserver {
 public:
  EventRecorder(std::uint64_t limit_per_kind, std::uint64_t burst_gap_ns);

  void on_event(const allocator::HeapEvent& e) override;

  void set_now(std::uint64_t ns) { now_ = ns; }
  void use_wall_clock(std::chrono::steady_clock::time_point start);
  // Virtual mode: whether the collector was woken since the last call.
  bool take_wake() { return std::exchange(woken_, false); }

  std::uint64_t total(allocator::HeapEventKind k) const { return totals_[static_cast<int>(k)]; }
  std::uint64_t fallback_bursts() const { return bursts_; }

  // Closes an open fallback burst and returns the log.
  EventLog finish();

 private:
  struct Burst {
    std::uint64_t start = 0, end = 0, bytes = 0, count = 0;
    std::uint32_t size_class = 0, thread = 0;
  };
  void record(const allocator::HeapEvent& e, std::uint64_t now);
  void fallback(const allocator::HeapEvent& e, std::uint64_t now);
  void close_burst();
  void log(LoggedEvent entry, int kind);
  std::uint64_t now() const;

  const std::uint64_t limit_;
  const std::uint64_t burst_gap_;
  std::uint64_t now_ = 0;
  bool wall_ = false;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;  // threaded mode only
  bool woken_ = false;

  std::array<std::uint64_t, allocator::kHeapEventKinds> totals_{};
  std::array<std::uint64_t, allocator::kHeapEventKinds + 1> logged_{}, dropped_{};  // + fallback bursts
  std::vector<LoggedEvent> entries_;
  bool burst_open_ = false;
  Burst burst_;
  std::uint64_t bursts_ = 0;
};

}  // namespace allocsim::sim
