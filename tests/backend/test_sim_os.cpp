// The simulated OS under the core in virtual mode: simulated RSS.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>
#include "allocator/os_layer.hpp"
#include "sim/backend/sim_os.hpp"

namespace allocsim::sim::testing {
namespace {


TEST(SimulatedOs, CountsTouchedPagesUntilPurgeOrUnmap) {
  SimulatedOs os(allocator::system_os());
  const std::size_t page = os.page_size();
  char* p = static_cast<char*>(os.map(16 * page, page));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(os.resident_bytes(), page);  // the mapping's first page (metadata)
  os.touch(p + page + 10, 3 * page);     // pages 1..4
  EXPECT_EQ(os.resident_bytes(), 5 * page);
  os.touch(p + 2 * page, 1);  // already counted
  EXPECT_EQ(os.resident_pages(p, 16 * page), 5u);
  os.purge(p + 2 * page, 2 * page);
  EXPECT_EQ(os.resident_bytes(), 3 * page);
  EXPECT_EQ(os.peak_resident_bytes(), 5 * page);
  os.unmap(p, 16 * page);
  EXPECT_EQ(os.resident_bytes(), 0u);
}

// Blocks share 2 MiB regions (for huge pages); what the allocator sees
// must not change: a block handed out again reads as zero, and a region
// goes back to the OS with its last block.

// Blocks share 2 MiB regions (for huge pages); what the allocator sees
// must not change: a block handed out again reads as zero, and a region
// goes back to the OS with its last block.
TEST(SimulatedOs, BlocksShareAHugeRegionAndComeBackZeroed) {
  SimulatedOs os(allocator::system_os());
  constexpr std::size_t kBlock = std::size_t{1} << 20;
  char* a = static_cast<char*>(os.map(kBlock, kBlock));
  char* b = static_cast<char*>(os.map(kBlock, kBlock));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) >> 21, reinterpret_cast<std::uintptr_t>(b) >> 21) << "one 2 MiB region";
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % kBlock, 0u);
  std::memset(a, 0xab, kBlock);
  std::memset(b, 0xcd, kBlock);
  os.unmap(a, kBlock);
  char* again = static_cast<char*>(os.map(kBlock, kBlock));
  ASSERT_EQ(again, a) << "the free half of the region is used first";
  EXPECT_EQ(again[0], 0);
  EXPECT_EQ(again[kBlock - 1], 0);
  EXPECT_EQ(b[0], static_cast<char>(0xcd)) << "the other block is untouched";
  EXPECT_EQ(os.resident_bytes(), 2 * os.page_size()) << "simulated residency: each mapping's first page";
  os.unmap(again, kBlock);
  os.unmap(b, kBlock);
  unsigned char v = 0;
  EXPECT_NE(::mincore(a, os.page_size(), &v), 0) << "the region is unmapped with its last block";
  EXPECT_EQ(os.resident_bytes(), 0u);
}

}  // namespace
}  // namespace allocsim::sim::testing
