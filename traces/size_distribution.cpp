#include "traces/size_distribution.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>

#include "traces/trace_error.hpp"

namespace allocsim::traces {

SizeDistribution SizeDistribution::from_ranges(std::vector<Range> ranges) {
  SizeDistribution d;
  for (const Range& r : ranges) {
    if (r.lo > r.hi) throw std::invalid_argument(fmt::format("size range [{}, {}] is empty", r.lo, r.hi));
    if (r.weight > UINT64_MAX - d.total_) throw std::invalid_argument("size weights overflow 64 bits");
    d.total_ += r.weight;
    d.cumulative_.push_back(d.total_);
  }
  if (d.total_ == 0) throw std::invalid_argument("size distribution has no weight");
  d.ranges_ = std::move(ranges);
  return d;
}

SizeDistribution SizeDistribution::power_law(const PowerLawSizes& k) {
  if (k.min_size == 0) throw std::invalid_argument("--min-size must be at least 1");
  if (k.max_size < k.min_size)
    throw std::invalid_argument(fmt::format("--max-size {} is below --min-size {}", k.max_size, k.min_size));
  if (k.decay_percent == 0 || k.decay_percent > 100)
    throw std::invalid_argument(fmt::format("--size-decay {} is not in 1..100", k.decay_percent));
  // Integer weights so the table (and so every draw) is the same everywhere.
  std::vector<Range> ranges;
  std::uint64_t weight = std::uint64_t{1} << 40;
  std::uint64_t lo = k.min_size;
  std::uint64_t hi = std::min(k.max_size, k.min_size > k.max_size / 2 ? k.max_size : 2 * k.min_size);
  for (;;) {
    ranges.push_back({lo, hi, weight});
    if (hi == k.max_size) break;
    lo = hi + 1;
    hi = hi > k.max_size / 2 ? k.max_size : 2 * hi;
    weight = weight * k.decay_percent / 100;
  }
  SizeDistribution d = from_ranges(std::move(ranges));
  d.description_ = fmt::format("power law {}..{} bytes, each doubling {}% as likely", k.min_size, k.max_size,
                               k.decay_percent);
  return d;
}

SizeDistribution SizeDistribution::from_trace(const std::string& path, const ReadOptions& options) {
  std::map<std::uint64_t, std::uint64_t> counts;
  std::uint64_t allocations = 0;
  auto reader = open_trace(path, options);
  std::array<Event, 4096> buffer;
  while (const std::size_t n = reader->read(buffer)) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!buffer[i].allocates()) continue;
      ++counts[buffer[i].size];
      ++allocations;
    }
  }
  if (allocations == 0) throw TraceError(path, TraceError::Where::None, 0, "no allocations to take sizes from");
  std::vector<Range> ranges;
  ranges.reserve(counts.size());
  for (const auto& [size, count] : counts) ranges.push_back({size, size, count});
  SizeDistribution d = from_ranges(std::move(ranges));
  d.description_ = fmt::format("sizes of {} allocations ({} distinct) in {}", allocations, counts.size(), path);
  return d;
}

std::uint64_t SizeDistribution::draw(GenRandom& rng) const {
  const std::uint64_t u = rng.below(total_);
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  const Range& r = ranges_[static_cast<std::size_t>(it - cumulative_.begin())];
  return r.lo == r.hi ? r.lo : rng.between(r.lo, r.hi);
}

}  // namespace allocsim::traces
