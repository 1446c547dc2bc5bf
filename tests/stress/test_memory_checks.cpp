// The stress programs' memory checks fail when memory changes: a byte
// flipped in a patterned object, a realloc that loses the prefix, a word
// changed in a sealed array or in its spare bytes. Each failure ends the
// process with status 1 and a message naming the object, size and offset.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "tests/stress/object.hpp"
#include "tests/stress/sealed_array.hpp"

namespace {

TEST(StressMemoryChecks, IntactPatternPasses) {
  stress::Object o = stress::new_object(7, 1000);
  stress::realloc_object(o, 3000);
  stress::realloc_object(o, 10);
  EXPECT_EQ(stress::free_object(o), stress::object_digest(7, 10));
}

TEST(StressMemoryChecks, PatternDependsOnIdSizeAndOffset) {
  unsigned char a[64], b[64], c[64];
  stress::fill_pattern(a, 64, 1, 64);
  stress::fill_pattern(b, 64, 2, 64);
  stress::fill_pattern(c, 64, 1, 65);
  EXPECT_NE(std::memcmp(a, b, 64), 0);
  EXPECT_NE(std::memcmp(a, c, 64), 0);
  EXPECT_NE(std::memcmp(a, a + 8, 8), 0) << "a shifted copy would pass";
}

TEST(StressMemoryChecksDeathTest, FlippedByteNamesObjectSizeAndOffset) {
  EXPECT_EXIT(
      {
        stress::Object o = stress::new_object(42, 100);
        o.p[37] ^= 1;
        stress::free_object(o);
      },
      ::testing::ExitedWithCode(1), "object 42 \\(size 100\\) corrupted at offset 37 \\(before free\\)");
}

TEST(StressMemoryChecksDeathTest, LastByteOfAnOddSizeIsChecked) {
  EXPECT_EXIT(
      {
        stress::Object o = stress::new_object(5, 13);
        o.p[12] = static_cast<unsigned char>(~o.p[12]);
        stress::free_object(o);
      },
      ::testing::ExitedWithCode(1), "object 5 \\(size 13\\) corrupted at offset 12");
}

TEST(StressMemoryChecksDeathTest, ReallocPrefixIsChecked) {
  EXPECT_EXIT(
      {
        stress::Object o = stress::new_object(9, 200);
        // A "realloc" that keeps only the first 100 bytes.
        auto* p = static_cast<unsigned char*>(std::malloc(400));
        std::memcpy(p, o.p, 100);
        std::memset(p + 100, 0, 300);
        std::free(o.p);
        stress::check_pattern(p, 200, o.id, o.size, "prefix after realloc");
      },
      ::testing::ExitedWithCode(1), "object 9 \\(size 200\\) corrupted at offset 100 \\(prefix after realloc\\)");
}

TEST(StressMemoryChecksDeathTest, SealedArrayWordChangeIsCaught) {
  EXPECT_EXIT(
      {
        stress::AllocationCounters c;
        auto* a = stress::make_sealed<std::uint64_t>(8, 0, c);
        for (std::uint64_t i = 0; i < 20; ++i) a = stress::push_sealed(a, i, c);  // grows by realloc twice
        a->w[3] ^= 4;
        stress::release_sealed(a, c);
      },
      ::testing::ExitedWithCode(1), "words in \\[24, 184\\) changed before free");
}

TEST(StressMemoryChecksDeathTest, SealedArraySpareBytesAreChecked) {
  EXPECT_EXIT(
      {
        stress::AllocationCounters c;
        auto* a = stress::make_sealed<std::uint32_t>(10, 2, c);
        reinterpret_cast<unsigned char*>(a)[24 + 8 + 5] ^= 0xff;  // in the spare capacity
        stress::release_sealed(a, c);
      },
      ::testing::ExitedWithCode(1), "object 1 \\(size 64\\) corrupted at offset 37 \\(before free\\)");
}

}  // namespace
