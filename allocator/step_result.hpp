#pragma once
// What one collector step did: its own header, so that the simulator's
// cost model can name it without the collector's dependencies.
#include <cstdint>

namespace allocsim::allocator {

inline constexpr std::uint64_t kNoWake = ~std::uint64_t{0};

struct StepResult {
  std::uint64_t units = 0;      // work done: chunks drained, queued or reclaimed
  bool pass_completed = false;  // the step finished a whole pass
  bool idle = false;            // the pass found nothing to do (and, in stepped mode, the collector is now asleep)
  // Asleep: when (on the run's clock) a queue's next reclaim is due, so the
  // owner steps it again then; kNoWake when nothing is pending.
  std::uint64_t wake_at_ns = kNoWake;
  // What the step cost, for a cost model (step() only).
  std::uint64_t hash_ops = 0;       // merge-set lookups, inserts and erases
  std::uint64_t sorted_chunks = 0;  // chunks ordered by block age
  std::uint64_t blocks_mapped = 0;
  std::uint64_t purges = 0;         // madvise calls that gave pages back
  std::uint64_t chunks_queued = 0;  // pushed into ready queues: the only way queued bytes grow
};

}  // namespace allocsim::allocator
