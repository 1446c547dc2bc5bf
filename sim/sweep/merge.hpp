#pragma once
// `allocsim sweep --merge DIR... -o OUT`: the shards of one sweep (run on
// other machines with --shard k/n) combined into one directory, whose plan
// is the union of theirs with shard 1/1. The caller rewrites the reports.
#include <string>
#include <vector>

#include "sim/sweep/directory.hpp"

namespace allocsim::sim {

struct MergeTally {
  std::size_t planned = 0, copied = 0, already_there = 0, failed_records = 0;
  std::vector<std::string> notes;
};

// `target` may be one of the inputs; the caller holds its SweepDirLock.
// Completed results win over failure records. Throws SpecError for an
// input without a plan, std::runtime_error for I/O.
MergeTally merge_sweeps(const std::vector<std::string>& inputs, const SweepDir& target);

}  // namespace allocsim::sim
