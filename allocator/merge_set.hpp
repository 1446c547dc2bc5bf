#pragma once
// A size class's merge set: the seed's "ordered hash set" of free chunks.
// Both hooks live inside the free chunk's payload (24 bytes, which is why
// the smallest chunk is 32): an unordered_set hook finds a chunk by address
// in O(1), a list hook keeps arrival order so chunks can be taken out like
// a doubly linked list. Nothing is decided by bucket order, so the set's
// behaviour does not depend on addresses.
#include <boost/intrusive/list.hpp>
#include <boost/intrusive/unordered_set.hpp>

#include <cstdint>

#include "allocator/chunk.hpp"
#include "allocator/config.hpp"
#include "allocator/counters.hpp"

namespace allocsim::allocator {

namespace bi = boost::intrusive;

// The merge-cost counters the seed prices (2 lookups + 1 insert + up to 2
// erases per merge, and the calls of the hash function they make).
struct MergeCounters {
  Counter lookups;
  Counter inserts;
  Counter erases;
  Counter hash_calls;
};

struct FreeNode : bi::list_base_hook<bi::link_mode<bi::normal_link>>,
                  bi::unordered_set_base_hook<bi::link_mode<bi::normal_link>> {
  ChunkHeader* chunk() { return ChunkHeader::of_payload(this); }
  static FreeNode* of(ChunkHeader* c) { return static_cast<FreeNode*>(c->payload()); }
};
static_assert(sizeof(FreeNode) <= kMinChunk - kHeaderBytes);

class MergeSet {
 public:
  MergeSet(HashKind kind, MergeCounters& counters);
  MergeSet(const MergeSet&) = delete;
  MergeSet& operator=(const MergeSet&) = delete;

  bool contains(ChunkHeader* c);  // one lookup
  void insert(ChunkHeader* c);    // appended in arrival order
  void erase(ChunkHeader* c);     // c must be in the set
  ChunkHeader* front() { return order_.empty() ? nullptr : order_.front().chunk(); }
  std::size_t size() const { return order_.size(); }
  bool empty() const { return order_.empty(); }

  template <typename F>
  void for_each(F&& f) {  // arrival order
    for (auto& n : order_) f(n.chunk());
  }

 private:
  struct Hasher {
    HashKind kind;
    Counter* calls;
    std::size_t operator()(std::uintptr_t key) const;
    std::size_t operator()(const FreeNode& n) const { return (*this)(reinterpret_cast<std::uintptr_t>(&n)); }
  };
  struct Equal {
    bool operator()(const FreeNode& a, const FreeNode& b) const { return &a == &b; }
    bool operator()(std::uintptr_t k, const FreeNode& b) const { return k == reinterpret_cast<std::uintptr_t>(&b); }
    bool operator()(const FreeNode& a, std::uintptr_t k) const { return k == reinterpret_cast<std::uintptr_t>(&a); }
  };
  using Set = bi::unordered_set<FreeNode, bi::hash<Hasher>, bi::equal<Equal>, bi::constant_time_size<true>>;
  using Buckets = Set::bucket_type;
  using Order = bi::list<FreeNode, bi::constant_time_size<true>>;

  // Owns a bucket array in internal memory; declared before set_ so the
  // set (which clears its buckets when destroyed) goes first.
  struct BucketArray {
    explicit BucketArray(std::size_t n);
    ~BucketArray();
    BucketArray(const BucketArray&) = delete;
    BucketArray& operator=(BucketArray&& o) noexcept {
      std::swap(data, o.data);
      std::swap(count, o.count);
      return *this;
    }
    Buckets* data;
    std::size_t count;
  };
  void resize_buckets(std::size_t want);

  MergeCounters& counters_;
  Hasher hasher_;
  BucketArray buckets_;
  Set set_;
  Order order_;
};

}  // namespace allocsim::allocator
