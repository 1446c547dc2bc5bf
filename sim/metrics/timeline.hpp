#pragma once
// The replay's timeline: one sample every `period` (virtual ns, or wall ns
// in threaded mode), each covering the interval since the one before: the
// interval's largest value and its value at the sample (`Gauge`) of live
// bytes, footprint and RSS, so that no peak falls between two samples. When
// max_samples is reached, neighbouring samples are merged pairwise and the
// period doubles, so a replay of any length keeps a bounded, evenly spaced
// timeline (samples stay at multiples of the period) that still holds every
// peak.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/metrics/metrics.hpp"

namespace allocsim::sim {

// A figure over one sample's interval.
struct Gauge {
  std::uint64_t max = 0;  // its largest value in the interval (the value at its start included)
  std::uint64_t end = 0;  // its value at the sample
};

struct TimelineSample {
  std::uint64_t time_ns = 0;
  std::uint64_t events = 0;  // trace events replayed by then
  Gauge live, footprint;
  std::optional<Gauge> sim_rss, measured_rss;
  std::uint64_t queue_bytes = 0;
  std::uint64_t host_rss_bytes = 0;          // goes to the host section
  std::vector<std::uint64_t> queue_targets;  // one per class of queue_classes
};

// The largest value of a figure over an interval, from what can be read of
// it: its values at moments (see) and, when its source keeps one, its
// running peak (see_peak): a peak that rose during the interval was reached
// in it. take() closes the interval; the next one starts at `end`.
class IntervalMax {
 public:
  void see(std::uint64_t v) { max_ = std::max(max_, v); }
  void see_peak(std::uint64_t peak) {
    if (peak > last_peak_) see(last_peak_ = peak);
  }
  Gauge take(std::uint64_t end) {
    see(end);
    const Gauge g{max_, end};
    max_ = end;
    return g;
  }

 private:
  std::uint64_t max_ = 0, last_peak_ = 0;
};

// The period and cap a replay samples with. sample_period_ns = 0 asks for
// about kAutoSamples samples over the run, whatever its length: sampling
// starts every `finest_ns` and the cap is 2 x kAutoSamples (or max_samples,
// when lower), so a run ends with kAutoSamples to twice that many samples
// (fewer only when it is shorter than kAutoSamples x finest_ns).
inline constexpr std::uint64_t kAutoSamples = 2000;
struct TimelinePlan {
  std::uint64_t period_ns, max_samples;
};
inline TimelinePlan timeline_plan(std::uint64_t sample_period_ns, std::uint64_t max_samples, std::uint64_t finest_ns) {
  if (sample_period_ns) return {sample_period_ns, max_samples};
  return {finest_ns, std::min(max_samples, 2 * kAutoSamples)};
}

class TimelineRecorder {
 public:
  TimelineRecorder(TimelinePlan plan, std::vector<std::uint64_t> queue_classes);

  // The time of the next sample due (a multiple of the current period).
  std::uint64_t next_due() const { return next_; }
  // A sample at the time of the last one replaces it, taking in its interval.
  void add(TimelineSample s);
  bool empty() const { return samples_.empty(); }
  std::uint64_t last_time() const { return samples_.empty() ? 0 : samples_.back().time_ns; }

  Timeline timeline() const;
  std::vector<std::uint64_t> host_rss() const;

 private:
  void coarsen();

  std::uint64_t period_;
  const std::uint64_t max_;
  std::uint64_t next_ = 0;
  const std::vector<std::uint64_t> queue_classes_;
  std::vector<TimelineSample> samples_;
  std::optional<TimelineSample> carry_;  // a sample that coarsening left without a partner: merged into the next
};

// Merges `earlier` into `later` (the sample that covers both intervals).
void absorb(TimelineSample& later, const TimelineSample& earlier);

}  // namespace allocsim::sim
