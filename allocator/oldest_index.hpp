#pragma once
// The oldest chunks of one merge set, kept sorted between refills.
//
// Oldest-block ordering takes the chunks with the smallest age key (block
// creation stamp, offset in block) first. Scanning the whole merge set for
// every refill costs O(set size) per refill even when a few chunks are
// wanted; this index scans once, keeps the k oldest sorted, and stays exact
// while the set changes: it holds every member whose age is at most its
// limit (the youngest age it held after the scan), so an insert or erase
// at or below the limit is mirrored here, and anything above it cannot be
// among the oldest until the index runs dry and the set is scanned again.
#include <cstdint>

#include "allocator/chunk.hpp"
#include "allocator/internal_memory.hpp"

namespace allocsim::allocator {

struct AgedChunk {
  std::uint64_t age;    // unique per chunk address
  ChunkHeader* chunk;   // nullptr: erased since the scan (kept for the binary search)
};

class OldestIndex {
 public:
  // Whether the index holds anything: only then must inserts and erases
  // (with their age keys) be reported.
  bool tracking() const { return !sorted_.empty(); }

  // Replaces the index with the `k` oldest of `members` (which it reorders).
  void rebuild(InternalVector<AgedChunk>& members, std::size_t k);
  void inserted(std::uint64_t age, ChunkHeader* chunk);
  void erased(std::uint64_t age);
  // The oldest member, or nullptr when the index is dry (scan again).
  // The caller erases it from the set (and reports that with erased()).
  ChunkHeader* oldest();

 private:
  std::size_t position(std::uint64_t age) const;  // the first entry as old as `age` or older
  InternalVector<AgedChunk> sorted_;  // descending age: the oldest at the back
  std::uint64_t limit_ = 0;
};

}  // namespace allocsim::allocator
