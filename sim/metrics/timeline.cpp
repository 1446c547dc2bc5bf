#include "sim/metrics/timeline.hpp"

namespace allocsim::sim {
namespace {

template <typename T>
void keep_even(std::vector<T>& v) {
  std::size_t out = 0;
  for (std::size_t i = 0; i < v.size(); i += 2, ++out)
    if (out != i) v[out] = std::move(v[i]);  // never a self-move (it would empty a vector)
  v.resize(out);
}

}  // namespace

TimelineRecorder::TimelineRecorder(std::uint64_t period_ns, std::uint64_t max_samples,
                                   std::vector<std::uint64_t> queue_classes)
    : period_(period_ns), max_(max_samples) {
  timeline_.period_ns = period_;
  timeline_.queue_classes = std::move(queue_classes);
}

void TimelineRecorder::add(TimelineSample s) {
  if (timeline_.time_ns.size() >= max_) decimate();
  Timeline& t = timeline_;
  t.time_ns.push_back(s.time_ns);
  t.live_bytes.push_back(s.live_bytes);
  t.footprint_bytes.push_back(s.footprint_bytes);
  t.queue_bytes.push_back(s.queue_bytes);
  if (s.sim_rss_bytes) t.sim_rss_bytes.push_back(*s.sim_rss_bytes);
  t.fragmentation.push_back(s.live_bytes ? std::optional<double>(static_cast<double>(s.footprint_bytes) /
                                                                     static_cast<double>(s.live_bytes) - 1.0)
                                         : std::nullopt);
  t.queue_targets.push_back(std::move(s.queue_targets));
  host_rss_.push_back(s.host_rss_bytes);
  next_ = (s.time_ns / period_ + 1) * period_;
}

// Keeps the samples at even multiples of the doubled period. A sample off
// the grid (threaded mode's wall clock) may drift; it is still kept or
// dropped by position, which keeps the spacing even.
void TimelineRecorder::decimate() {
  Timeline& t = timeline_;
  keep_even(t.time_ns);
  keep_even(t.live_bytes);
  keep_even(t.footprint_bytes);
  keep_even(t.queue_bytes);
  keep_even(t.sim_rss_bytes);
  keep_even(t.fragmentation);
  keep_even(t.queue_targets);
  keep_even(host_rss_);
  period_ *= 2;
  t.period_ns = period_;
}

}  // namespace allocsim::sim
