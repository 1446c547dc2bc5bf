// OldestIndex against a model: after any mix of inserts, erases and takes,
// the chunk it hands out is the oldest member of the set, as a full scan
// and sort (the seed's way) would find it.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "allocator/oldest_index.hpp"

namespace allocsim::allocator {
namespace {

// Chunks are never dereferenced by the index: an age names one.
ChunkHeader* chunk_of(std::uint64_t age) { return reinterpret_cast<ChunkHeader*>((age + 1) * 16); }

class Model {
 public:
  explicit Model(OldestIndex& index) : index_(index) {}
  void insert(std::uint64_t age) {
    members_.insert(age);
    index_.inserted(age, chunk_of(age));
  }
  void erase(std::uint64_t age) {
    members_.erase(age);
    index_.erased(age);
  }
  // What the collector does: ask the index, scan the set when it is dry.
  std::uint64_t take(std::size_t batch) {
    ChunkHeader* c = index_.oldest();
    if (!c) {
      InternalVector<AgedChunk> scan;
      for (const std::uint64_t a : members_) scan.push_back({a, chunk_of(a)});
      index_.rebuild(scan, batch);
      ++scans_;
      c = index_.oldest();
    }
    const std::uint64_t age = reinterpret_cast<std::uintptr_t>(c) / 16 - 1;
    erase(age);
    return age;
  }
  const std::set<std::uint64_t>& members() const { return members_; }
  int scans() const { return scans_; }

 private:
  OldestIndex& index_;
  std::set<std::uint64_t> members_;
  int scans_ = 0;
};

TEST(OldestIndex, TakesTheOldestThroughInsertsAndErasesAroundTheLimit) {
  std::mt19937_64 rng(7);
  for (const std::size_t batch : {1u, 4u, 64u}) {
    OldestIndex index;
    Model m(index);
    for (int step = 0; step < 20000; ++step) {
      const auto roll = rng() % 10;
      const std::uint64_t age = rng() % 4000;
      if (roll < 5) {
        if (!m.members().count(age)) m.insert(age);
      } else if (roll < 7) {
        if (m.members().empty()) continue;
        auto it = m.members().lower_bound(age);
        if (it == m.members().end()) it = m.members().begin();
        m.erase(*it);
      } else if (!m.members().empty()) {
        const std::uint64_t oldest = *m.members().begin();
        ASSERT_EQ(m.take(batch), oldest) << "batch " << batch << ", step " << step;
      }
    }
  }
}

TEST(OldestIndex, OneScanServesManyTakes) {
  OldestIndex index;
  Model m(index);
  for (std::uint64_t a = 0; a < 1000; ++a) m.insert(999 - a);
  for (std::uint64_t want = 0; want < 63; ++want) ASSERT_EQ(m.take(64), want);
  EXPECT_EQ(m.scans(), 1);
  m.insert(5);  // below the limit (63): tracked without a scan
  EXPECT_EQ(m.take(64), 5u);
  EXPECT_EQ(m.take(64), 63u);
  EXPECT_EQ(m.scans(), 1);
  EXPECT_EQ(m.take(64), 64u);
  EXPECT_EQ(m.scans(), 2) << "the index ran dry after 63 and was rebuilt";
}

}  // namespace
}  // namespace allocsim::allocator
