#include "sim/fragmentation.hpp"

namespace allocsim::sim {
namespace {

std::optional<double> excess(std::uint64_t used, std::uint64_t requested) {
  if (requested == 0) return std::nullopt;
  return static_cast<double>(used) / static_cast<double>(requested) - 1.0;
}

}  // namespace

void FragmentationTracker::changed(std::uint64_t time_ns, std::uint64_t live, std::uint64_t footprint) {
  if (last_live_ != 0 && time_ns > last_time_) {
    weighted_ += last_ratio_ * static_cast<double>(time_ns - last_time_);
    weighted_ns_ += time_ns - last_time_;
  }
  last_time_ = time_ns;
  last_live_ = live;
  last_footprint_ = footprint;
  last_ratio_ = live ? static_cast<double>(footprint) / static_cast<double>(live) : 0.0;
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
  double weighted = weighted_;
  std::uint64_t ns = weighted_ns_;
  if (last_live_ != 0 && end_ns > last_time_) {
    weighted += last_ratio_ * static_cast<double>(end_ns - last_time_);
    ns += end_ns - last_time_;
  }
  Fragmentation f;
  if (ns) f.jw1_time_average = weighted / static_cast<double>(ns) - 1.0;
  f.jw2_at_peak_live = excess(footprint_at_peak_live_, peak_live_);
  f.jw3_at_peak_footprint = excess(peak_footprint_, live_at_peak_footprint_);
  f.jw4_peak_over_peak = excess(peak_footprint_, peak_live_);
  return f;
}

}  // namespace allocsim::sim
