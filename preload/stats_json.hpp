#pragma once
// The metrics a host process reports at exit (ALLOCSIM_STATS): the layout
// of `allocsim replay`'s metrics JSON (docs/metrics.md) without the trace
// identity, filled from what the core counts in a real program.
#include <ostream>
#include <string>

#include "allocator/config.hpp"
#include "allocator/heap.hpp"

namespace allocsim::preload {

struct StatsIdentity {
  std::string policy;  // "" for the defaults
  const allocator::Config* config = nullptr;
  double wall_seconds = 0;  // since the heap was built
  // The process's RSS when the heap was built (the program's first
  // allocation): what the program and its libraries hold before the heap.
  std::uint64_t baseline_rss_bytes = 0;
};

void write_stats_json(std::ostream& out, const allocator::Heap& heap, const StatsIdentity& id);

}  // namespace allocsim::preload
