#include "sim/metrics/fragmentation.hpp"

namespace allocsim::sim {
namespace {

std::optional<double> excess(std::uint64_t used, std::uint64_t requested) {
  if (requested == 0) return std::nullopt;
  return static_cast<double>(used) / static_cast<double>(requested) - 1.0;
}

}  // namespace

void FragmentationTracker::changed(std::uint64_t time_ns, std::uint64_t live, std::uint64_t footprint) {
  if (last_live_ != 0 && time_ns > last_time_) {
    const auto dt = static_cast<double>(time_ns - last_time_);
    footprint_time_ += static_cast<double>(last_footprint_) * dt;
    live_time_ += static_cast<double>(last_live_) * dt;
  }
  last_time_ = time_ns;
  last_live_ = live;
  last_footprint_ = footprint;
  if (live > peak_live_) {
    peak_live_ = live;
    footprint_at_peak_live_ = footprint;
  }
  if (footprint > peak_footprint_) {
    peak_footprint_ = footprint;
    live_at_peak_footprint_ = live;
  } else if (footprint == peak_footprint_ && live > live_at_peak_footprint_) {
    live_at_peak_footprint_ = live;
  }
}

Fragmentation FragmentationTracker::result(std::uint64_t end_ns) const {
  double footprint_time = footprint_time_, live_time = live_time_;
  if (last_live_ != 0 && end_ns > last_time_) {
    const auto dt = static_cast<double>(end_ns - last_time_);
    footprint_time += static_cast<double>(last_footprint_) * dt;
    live_time += static_cast<double>(last_live_) * dt;
  }
  Fragmentation f;
  if (live_time > 0) f.jw1_time_average = footprint_time / live_time - 1.0;
  f.jw2_at_peak_live = excess(footprint_at_peak_live_, peak_live_);
  f.jw3_at_peak_footprint = excess(peak_footprint_, live_at_peak_footprint_);
  f.jw4_peak_over_peak = excess(peak_footprint_, peak_live_);
  return f;
}

}  // namespace allocsim::sim
