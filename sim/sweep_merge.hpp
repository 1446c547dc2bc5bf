#pragma once
// `allocsim sweep --merge DIR... -o OUT`: the shards of one sweep (run on
// other machines with --shard k/n) combined into one directory, whose plan
// is the union of theirs with shard 1/1, and whose reports cover them all.
#include <string>
#include <vector>

namespace allocsim::sim {

struct MergeTally {
  std::size_t planned = 0, copied = 0, already_there = 0, failed_records = 0;
  std::vector<std::string> notes;
};

// OUT may be one of the inputs. Completed results win over failure records.
// Throws SpecError for an input without a plan, std::runtime_error for I/O.
MergeTally merge_sweeps(const std::vector<std::string>& inputs, const std::string& out);

}  // namespace allocsim::sim
