#pragma once
// The core heap's counters and per-class queue state as metrics rows, with
// the same groups and names wherever the core runs: `allocsim replay`'s
// core backend and the LD_PRELOAD library's stats.
#include <vector>

#include "allocator/heap.hpp"
#include "sim/metrics/metrics.hpp"

namespace allocsim::sim {

// "threads", "collector" and "os" groups.
std::vector<CounterGroup> core_counter_groups(const allocator::HeapStats& s);
// One row per class with the queue's state; what the caller measured
// itself (allocations, hits, fallbacks) is left for it to fill.
std::vector<ClassMetrics> core_class_rows(const allocator::Heap& heap);

}  // namespace allocsim::sim
