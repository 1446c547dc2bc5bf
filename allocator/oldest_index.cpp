#include "allocator/oldest_index.hpp"

#include <algorithm>
#include <cassert>

namespace allocsim::allocator {

void OldestIndex::rebuild(InternalVector<AgedChunk>& members, std::size_t k) {
  sorted_.clear();
  if (members.empty() || k == 0) return;
  k = std::min(k, members.size());
  auto older = [](const AgedChunk& a, const AgedChunk& b) { return a.age < b.age; };
  std::nth_element(members.begin(), members.begin() + (k - 1), members.end(), older);
  std::sort(members.begin(), members.begin() + k, older);
  for (std::size_t i = k; i-- > 0;) sorted_.push_back(members[i]);
  limit_ = sorted_[0].age;
}

std::size_t OldestIndex::position(std::uint64_t age) const {
  const auto it = std::partition_point(sorted_.begin(), sorted_.end(), [&](const AgedChunk& a) { return a.age > age; });
  return static_cast<std::size_t>(it - sorted_.begin());
}

void OldestIndex::inserted(std::uint64_t age, ChunkHeader* chunk) {
  if (!tracking() || age > limit_) return;
  sorted_.insert_at(position(age), {age, chunk});
}

void OldestIndex::erased(std::uint64_t age) {
  if (!tracking() || age > limit_) return;
  const std::size_t i = sorted_.back().age == age ? sorted_.size() - 1 : position(age);  // takes are at the back
  assert(i < sorted_.size() && sorted_[i].age == age && sorted_[i].chunk);
  if (i < sorted_.size() && sorted_[i].age == age) sorted_[i].chunk = nullptr;
  while (!sorted_.empty() && !sorted_.back().chunk) sorted_.pop_back();
}

ChunkHeader* OldestIndex::oldest() { return sorted_.empty() ? nullptr : sorted_.back().chunk; }

}  // namespace allocsim::allocator
