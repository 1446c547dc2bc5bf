// The replay's object table: dense ids, pages released when their objects die.
#include <gtest/gtest.h>
#include "sim/replay/object_table.hpp"

namespace allocsim::sim::testing {
namespace {


TEST(ObjectTable, DenseIdsAndPageRelease) {
  ObjectTable t;
  for (std::uint64_t i = 0; i < ObjectTable::kPageSlots + 10; ++i) t.birth(i + 1);
  EXPECT_EQ(t.next_id(), ObjectTable::kPageSlots + 10);
  ASSERT_NE(t.find(5), nullptr);
  EXPECT_EQ(t.death(*t.find(5), 5), 6u);
  EXPECT_EQ(t.find(5), nullptr);
  EXPECT_EQ(t.find(ObjectTable::kPageSlots + 10), nullptr);
  for (std::uint64_t i = 0; i < ObjectTable::kPageSlots; ++i)
    if (auto* s = t.find(i)) t.death(*s, i);
  const auto dead = t.take_dead_pages();
  ASSERT_EQ(dead, std::vector<std::uint64_t>{0});
  t.release_page(0);
  EXPECT_EQ(t.find(0), nullptr);
  EXPECT_NE(t.find(ObjectTable::kPageSlots), nullptr);
  EXPECT_EQ(t.live_count(), 10u);
}

}  // namespace
}  // namespace allocsim::sim::testing
