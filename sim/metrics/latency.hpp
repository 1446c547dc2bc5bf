#pragma once
// A latency histogram with logarithmic buckets (8 per power of two, so a
// reported percentile is within 1/8 = 12.5% of the true value), cheap
// enough to record every replayed operation. One per replay thread,
// merged with operator+ at the end.
#include <array>
#include <cstdint>

#include "sim/metrics/metrics.hpp"

namespace allocsim::sim {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 3;
  static constexpr int kBuckets = 64 << kSubBits;

  void add(std::uint64_t ns) {
    ++counts_[bucket(ns)];
    ++samples_;
    sum_ += ns;
    if (ns > max_) max_ = ns;
  }
  std::uint64_t samples() const { return samples_; }
  // The value below which `fraction` of the samples lie (a bucket's upper
  // bound, clamped to the largest sample).
  std::uint64_t percentile(double fraction) const;
  Latency summary() const;

  friend LatencyHistogram operator+(const LatencyHistogram& a, const LatencyHistogram& b);

  static int bucket(std::uint64_t v) {
    if (v < (1u << kSubBits)) return static_cast<int>(v);
    const int log = 63 - __builtin_clzll(v);
    const auto sub = static_cast<int>((v >> (log - kSubBits)) & ((1u << kSubBits) - 1));
    return ((log - kSubBits + 1) << kSubBits) + sub;
  }
  // The largest value in bucket b.
  static std::uint64_t upper(int b);

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t samples_ = 0, sum_ = 0, max_ = 0;
};

}  // namespace allocsim::sim
