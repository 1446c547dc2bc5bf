#include "allocator/merge_set.hpp"

// Inlined: the key is always 8 bytes, so the call folds to XXH3's short-input path.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <boost/container_hash/hash.hpp>
#include <new>

#include "allocator/internal_memory.hpp"

namespace allocsim::allocator {
namespace {
constexpr std::size_t kMinBuckets = 61;
}

std::size_t MergeSet::Hasher::operator()(std::uintptr_t key) const {
  calls->add();
  if (kind == HashKind::Xxh3) return static_cast<std::size_t>(XXH3_64bits(&key, sizeof key));
  return boost::hash<std::uintptr_t>()(key);
}

MergeSet::BucketArray::BucketArray(std::size_t n) : data(static_cast<Buckets*>(internal_map(n * sizeof(Buckets)))), count(n) {
  if (!data) throw std::bad_alloc();
  for (std::size_t i = 0; i < n; ++i) new (&data[i]) Buckets();
}

MergeSet::BucketArray::~BucketArray() { internal_unmap(data, count * sizeof(Buckets)); }

MergeSet::MergeSet(HashKind kind, MergeCounters& counters)
    : counters_(counters),
      hasher_{kind, &counters.hash_calls},
      buckets_(kMinBuckets),
      set_(Set::bucket_traits(buckets_.data, buckets_.count), hasher_) {}

void MergeSet::resize_buckets(std::size_t want) {
  const std::size_t n = Set::suggested_upper_bucket_count(want < kMinBuckets ? kMinBuckets : want);
  if (n == buckets_.count) return;
  BucketArray fresh(n);
  set_.rehash(Set::bucket_traits(fresh.data, fresh.count));
  buckets_ = std::move(fresh);  // the old array is unmapped with `fresh`
}

bool MergeSet::contains(ChunkHeader* c) {
  counters_.lookups.add();
  const auto key = reinterpret_cast<std::uintptr_t>(FreeNode::of(c));
  return set_.find(key, hasher_, Equal()) != set_.end();
}

void MergeSet::insert(ChunkHeader* c) {
  FreeNode* n = new (c->payload()) FreeNode();
  counters_.inserts.add();
  set_.insert(*n);
  order_.push_back(*n);
  if (set_.size() > buckets_.count) resize_buckets(buckets_.count * 2);
}

void MergeSet::erase(ChunkHeader* c) {
  FreeNode* n = FreeNode::of(c);
  counters_.erases.add();
  set_.erase(set_.iterator_to(*n));
  order_.erase(order_.iterator_to(*n));
  if (buckets_.count > kMinBuckets * 8 && set_.size() < buckets_.count / 8) resize_buckets(buckets_.count / 4);
}

}  // namespace allocsim::allocator
