#pragma once
// Where the synthetic generators take allocation sizes from: a built-in
// small-object-heavy power law, or the empirical sizes of a real trace.
//
// Both are one table of weighted ranges: a draw picks a range with
// probability weight / total, then a size uniformly inside it. The built-in
// law has one range per doubling; an empirical table has one single-size
// range per distinct size, weighted by how often it was allocated.
#include <cstdint>
#include <string>
#include <vector>

#include "traces/event_reader.hpp"
#include "traces/gen_random.hpp"

namespace allocsim::traces {

struct PowerLawSizes {
  std::uint64_t min_size = 16;      // smallest size drawn, >= 1
  std::uint64_t max_size = 262144;  // largest size drawn (256 KiB), >= min_size
  // Ranges [min, 2 min], (2 min, 4 min], ... up to max_size; each is
  // `decay_percent`% as likely as the one below it: a density of about
  // size^-(1 + log2(100 / decay)). The defaults put 40% of the draws in
  // [16, 32], 78% at or below 128 bytes, 97% at or below 2 KiB and 0.14%
  // above 64 KiB. 100 = every doubling equally likely (log-uniform).
  std::uint32_t decay_percent = 60;
};

class SizeDistribution {
 public:
  struct Range {
    std::uint64_t lo;
    std::uint64_t hi;
    std::uint64_t weight;
  };

  // Throws std::invalid_argument naming the knob at fault.
  static SizeDistribution power_law(const PowerLawSizes& knobs = {});
  // The sizes of every allocating event (malloc, calloc, realloc,
  // memalign) in the trace at `path`, any format open_trace() reads.
  // Throws TraceError when the file cannot be read or holds no allocation.
  static SizeDistribution from_trace(const std::string& path, const ReadOptions& options = {});
  // From explicit ranges (weights need not be normalised). Throws
  // std::invalid_argument when empty, all weights are 0, or lo > hi.
  static SizeDistribution from_ranges(std::vector<Range> ranges);

  std::uint64_t draw(GenRandom& rng) const;

  const std::vector<Range>& ranges() const { return ranges_; }
  std::uint64_t total_weight() const { return total_; }
  std::string description() const { return description_; }

 private:
  std::vector<Range> ranges_;
  std::vector<std::uint64_t> cumulative_;  // cumulative_[i] = sum of weights of ranges 0..i
  std::uint64_t total_ = 0;
  std::string description_;
};

}  // namespace allocsim::traces
