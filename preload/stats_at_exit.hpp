#pragma once
// ALLOCSIM_STATS=PATH: at exit, the host process writes the core's metrics
// to PATH in the metrics JSON of `allocsim replay` (docs/metrics.md),
// without the trace identity. "%p" in PATH becomes the process id, so every
// process of a tree (forked children, exec'd programs that inherit the
// variable) keeps its own file; without it only the process that built the
// heap writes, and an exec'd program that inherits the variable replaces
// the file when it exits.
#include <string>

#include "allocator/config.hpp"

namespace allocsim::preload {

// Called while the heap is built: remembers ALLOCSIM_STATS and what was configured.
void remember_stats_request(const std::string& policy, const allocator::Config& config);
// A forked child: a PATH without "%p" belongs to the parent.
void note_forked_child();

}  // namespace allocsim::preload
