#pragma once
// This process's RSS as a replay measures it: a baseline taken just before
// the first event (the replayer, its libraries and the trace reader are
// resident by then) and, per timeline interval, the largest RSS and the RSS
// at its end. The interval's peak is the kernel's VmHWM, which start() and
// every take() reset to the current RSS (/proc/self/clear_refs, "5"); where
// the kernel refuses, VmHWM is the peak since the process started, and it
// counts for an interval only when it rose in it (as IntervalMax does).
#include <cstdint>

namespace allocsim::sim {

class ProcessRss {
 public:
  struct Reading {
    std::uint64_t max = 0, now = 0;  // raw bytes, baseline included
  };

  void start();
  Reading take();  // closes the interval since start() or the last take()

  std::uint64_t baseline() const { return baseline_; }
  // The largest RSS from start() to the last take(), and that take's reading; raw.
  std::uint64_t peak() const { return peak_; }
  const Reading& last() const { return last_; }
  // What a figure is above the baseline (0 below it).
  std::uint64_t above_baseline(std::uint64_t raw) const { return raw > baseline_ ? raw - baseline_ : 0; }

 private:
  bool resettable_ = false;
  std::uint64_t baseline_ = 0, peak_ = 0, last_hwm_ = 0;
  Reading last_;
};

}  // namespace allocsim::sim
