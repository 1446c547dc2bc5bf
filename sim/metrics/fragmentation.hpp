#pragma once
// The four fragmentation measures of Johnstone & Wilson, "The Memory
// Fragmentation Problem: Solved?" (ISMM 1998), from a stream of
// observations (time, live bytes, footprint bytes). Each is reported as the
// excess of memory used over memory requested (footprint / live - 1):
//   jw1: averaged over time: the time average of footprint over the time
//        average of live bytes (each state weighted by how long it lasted;
//        intervals with no live bytes are left out). Averaging the ratio
//        instead would let moments with a few live bytes swamp the run;
//   jw2: at the point of peak live bytes (the first time it is reached);
//   jw3: at the point of peak footprint (on a plateau of the peak, the
//        largest live bytes seen there, i.e. the kindest reading);
//   jw4: peak footprint over peak live, two different moments.
#include <cstdint>

#include "sim/metrics/metrics.hpp"

namespace allocsim::sim {

class FragmentationTracker {
 public:
  // Times must not go back.
  void observe(std::uint64_t time_ns, std::uint64_t live, std::uint64_t footprint) {
    if (live != last_live_ || footprint != last_footprint_) [[likely]]
      changed(time_ns, live, footprint);
  }
  // Closes the time average at `end_ns`.
  Fragmentation result(std::uint64_t end_ns) const;

  std::uint64_t peak_live() const { return peak_live_; }
  std::uint64_t peak_footprint() const { return peak_footprint_; }

 private:
  void changed(std::uint64_t time_ns, std::uint64_t live, std::uint64_t footprint);

  std::uint64_t last_time_ = 0, last_live_ = 0, last_footprint_ = 0;
  double footprint_time_ = 0, live_time_ = 0;  // sums of bytes x duration while live > 0
  std::uint64_t peak_live_ = 0, footprint_at_peak_live_ = 0;
  std::uint64_t peak_footprint_ = 0, live_at_peak_footprint_ = 0;
};

}  // namespace allocsim::sim
