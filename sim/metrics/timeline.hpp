#pragma once
// The replay's timeline: one sample every `period` (virtual ns, or wall ns
// in threaded mode). When max_samples is reached, every other sample is
// dropped and the period doubles, so a replay of any length keeps a
// bounded, evenly spaced timeline (samples stay at multiples of the period).
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/metrics/metrics.hpp"

namespace allocsim::sim {

struct TimelineSample {
  std::uint64_t time_ns = 0;
  std::uint64_t live_bytes = 0, footprint_bytes = 0, queue_bytes = 0;
  std::optional<std::uint64_t> sim_rss_bytes;
  std::uint64_t host_rss_bytes = 0;       // goes to the host section
  std::vector<std::uint64_t> queue_targets;  // one per class of queue_classes
};

class TimelineRecorder {
 public:
  TimelineRecorder(std::uint64_t period_ns, std::uint64_t max_samples, std::vector<std::uint64_t> queue_classes);

  // The time of the next sample due (a multiple of the current period).
  std::uint64_t next_due() const { return next_; }
  void add(TimelineSample s);

  Timeline timeline() const { return timeline_; }
  const std::vector<std::uint64_t>& host_rss() const { return host_rss_; }

 private:
  void decimate();

  std::uint64_t period_;
  const std::uint64_t max_;
  std::uint64_t next_ = 0;
  Timeline timeline_;
  std::vector<std::uint64_t> host_rss_;
};

}  // namespace allocsim::sim
