#include "sim/metrics/latency.hpp"

#include <algorithm>
#include <cmath>

namespace allocsim::sim {

std::uint64_t LatencyHistogram::upper(int b) {
  if (b < (1 << kSubBits)) return static_cast<std::uint64_t>(b);
  const int log = (b >> kSubBits) + kSubBits - 1;
  const std::uint64_t sub = static_cast<std::uint64_t>(b & ((1 << kSubBits) - 1));
  const std::uint64_t base = std::uint64_t{1} << log;
  const std::uint64_t step = base >> kSubBits;
  const std::uint64_t top = base + (sub + 1) * step - 1;
  return top < base ? ~std::uint64_t{0} : top;  // the last bucket ends at the top of the range
}

std::uint64_t LatencyHistogram::percentile(double fraction) const {
  if (samples_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(samples_)));
  std::uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += counts_[b];
    if (seen >= std::max<std::uint64_t>(rank, 1)) return std::min(upper(b), max_);
  }
  return max_;
}

Latency LatencyHistogram::summary() const {
  Latency l;
  l.samples = samples_;
  l.mean_ns = samples_ ? static_cast<double>(sum_) / static_cast<double>(samples_) : 0.0;
  l.p50_ns = percentile(0.50);
  l.p90_ns = percentile(0.90);
  l.p99_ns = percentile(0.99);
  l.p999_ns = percentile(0.999);
  l.max_ns = max_;
  return l;
}

LatencyHistogram operator+(const LatencyHistogram& a, const LatencyHistogram& b) {
  LatencyHistogram r;
  for (int i = 0; i < LatencyHistogram::kBuckets; ++i) r.counts_[i] = a.counts_[i] + b.counts_[i];
  r.samples_ = a.samples_ + b.samples_;
  r.sum_ = a.sum_ + b.sum_;
  r.max_ = std::max(a.max_, b.max_);
  return r;
}

}  // namespace allocsim::sim
