#include "sim/metrics/timeline.hpp"

namespace allocsim::sim {
namespace {

void absorb(Gauge& later, const Gauge& earlier) { later.max = std::max(later.max, earlier.max); }

void absorb(std::optional<Gauge>& later, const std::optional<Gauge>& earlier) {
  if (later && earlier) absorb(*later, *earlier);
}

}  // namespace

void absorb(TimelineSample& later, const TimelineSample& earlier) {
  absorb(later.live, earlier.live);
  absorb(later.footprint, earlier.footprint);
  absorb(later.sim_rss, earlier.sim_rss);
  absorb(later.measured_rss, earlier.measured_rss);
}

TimelineRecorder::TimelineRecorder(TimelinePlan plan, std::vector<std::uint64_t> queue_classes)
    : period_(plan.period_ns), max_(plan.max_samples), queue_classes_(std::move(queue_classes)) {}

void TimelineRecorder::add(TimelineSample s) {
  if (!samples_.empty() && samples_.back().time_ns == s.time_ns) {  // a later look at the same instant
    absorb(s, samples_.back());
    samples_.back() = std::move(s);
    return;
  }
  if (samples_.size() >= max_) coarsen();
  if (carry_) {
    absorb(s, *carry_);
    carry_.reset();
  }
  next_ = (s.time_ns / period_ + 1) * period_;
  samples_.push_back(std::move(s));
}

// Keeps the samples at even positions (even multiples of the period, the
// first one at the start), each taking in the interval of the odd one
// before it, and doubles the period. An odd sample at the end has no
// partner yet: the next sample takes it in. In threaded mode a sample off
// the grid (the wall clock's) is merged by position, which keeps the
// spacing even.
void TimelineRecorder::coarsen() {
  std::size_t out = 1;
  for (std::size_t i = 2; i < samples_.size(); i += 2, ++out) {
    absorb(samples_[i], samples_[i - 1]);
    samples_[out] = std::move(samples_[i]);
  }
  if (samples_.size() % 2 == 0 && samples_.size() >= 2) carry_ = std::move(samples_.back());
  samples_.resize(out);
  period_ *= 2;
}

Timeline TimelineRecorder::timeline() const {
  Timeline t;
  t.period_ns = period_;
  t.queue_classes = queue_classes_;
  for (const TimelineSample& s : samples_) {
    t.time_ns.push_back(s.time_ns);
    t.events.push_back(s.events);
    t.live_bytes.push_back(s.live.end);
    t.live_bytes_max.push_back(s.live.max);
    t.footprint_bytes.push_back(s.footprint.end);
    t.footprint_bytes_max.push_back(s.footprint.max);
    if (s.sim_rss) {
      t.sim_rss_bytes.push_back(s.sim_rss->end);
      t.sim_rss_bytes_max.push_back(s.sim_rss->max);
    }
    if (s.measured_rss) {
      t.measured_rss_bytes.push_back(s.measured_rss->end);
      t.measured_rss_bytes_max.push_back(s.measured_rss->max);
    }
    t.fragmentation.push_back(s.live.end ? std::optional<double>(static_cast<double>(s.footprint.end) /
                                                                     static_cast<double>(s.live.end) - 1.0)
                                         : std::nullopt);
    t.queue_bytes.push_back(s.queue_bytes);
    t.queue_targets.push_back(s.queue_targets);
  }
  return t;
}

std::vector<std::uint64_t> TimelineRecorder::host_rss() const {
  std::vector<std::uint64_t> out;
  for (const TimelineSample& s : samples_) out.push_back(s.host_rss_bytes);
  return out;
}

}  // namespace allocsim::sim
