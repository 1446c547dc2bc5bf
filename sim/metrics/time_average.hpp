#pragma once
// The time average of a figure known at knots: at a knot the figure may
// jump (from `before` to `after`: a collector step filling queues), and
// between knots it is taken to move in a straight line (threads taking
// batches from the queues between steps): the trapezoid rule. The sum is
// kept in integers, so a virtual replay's average is reproducible to the bit.
#include <cstdint>
#include <optional>

namespace allocsim::sim {

class TimeAverage {
 public:
  // Times must not go back.
  void knot(std::uint64_t time_ns, std::uint64_t before, std::uint64_t after) {
    if (started_ && time_ns > last_time_)
      twice_area_ += static_cast<unsigned __int128>(last_ + before) * (time_ns - last_time_);
    if (!started_) first_time_ = time_ns;
    started_ = true;
    last_time_ = time_ns;
    last_ = after;
  }
  void knot(std::uint64_t time_ns, std::uint64_t value) { knot(time_ns, value, value); }

  // The average from the first knot to the last; the last value when no
  // time passed, nullopt before any knot.
  std::optional<double> mean() const {
    if (!started_) return std::nullopt;
    if (last_time_ == first_time_) return static_cast<double>(last_);
    return static_cast<double>(twice_area_) / (2.0 * static_cast<double>(last_time_ - first_time_));
  }

 private:
  bool started_ = false;
  std::uint64_t first_time_ = 0, last_time_ = 0, last_ = 0;
  unsigned __int128 twice_area_ = 0;
};

}  // namespace allocsim::sim
