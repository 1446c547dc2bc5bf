// Requests that cannot be served, an OS that refuses memory, and pointers
// the heap never handed out.
#include "heap_test_support.hpp"

namespace allocsim::allocator::testing {
namespace {

TEST(HeapBadInput, RequestsTooLargeToMapReturnNull) {
  Heap heap{Config{}};
  ThreadHeap t{heap};
  EXPECT_EQ(t.allocate(SIZE_MAX), nullptr);
  EXPECT_EQ(t.allocate(SIZE_MAX / 2), nullptr);
  EXPECT_EQ(t.allocate(std::size_t(1) << 52), nullptr);
  EXPECT_EQ(t.allocate_zeroed(std::size_t(1) << 52), nullptr);
  EXPECT_EQ(t.allocate_aligned(std::size_t(1) << 52, 4096), nullptr);
  void* p = t.allocate(100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(t.reallocate(p, std::size_t(1) << 52), nullptr);
  t.deallocate(p);  // still valid after the failed realloc
  heap.collector().run_until_idle();
  expect_ok(heap);
}

TEST(HeapBadInput, MapFailureGivesNullAndTheHeapRecovers) {
  FailingOs os(0);
  Heap heap{Config{}, {CollectorMode::Stepped, &os}};
  ThreadHeap t{heap};
  EXPECT_EQ(t.allocate(64), nullptr) << "no block for the fallback";
  EXPECT_EQ(t.allocate(10u << 20), nullptr) << "no large mapping";
  heap.collector().run_until_idle();  // refills fail to map: no crash
  expect_ok(heap);
  os.allow(1);
  void* p = t.allocate(64);
  EXPECT_NE(p, nullptr);
  t.deallocate(p);
  heap.collector().run_until_idle();
  expect_ok(heap);
}

using HeapBadInputDeathTest = ::testing::Test;

TEST_F(HeapBadInputDeathTest, FreeingAPointerNeverHandedOutIsCaught) {
  Config c;
  c.validate_frees = true;
  Heap heap{c};
  ThreadHeap t{heap};
  auto* p = static_cast<char*>(t.allocate(200));
  EXPECT_DEATH(t.deallocate(p + 48), "not a pointer this heap handed out");
  // Memory the heap never mapped (mmap'd here so that reading the would-be
  // header in front of it is legal even under AddressSanitizer).
  auto* foreign = static_cast<char*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(foreign, MAP_FAILED);
  EXPECT_DEATH(t.deallocate(foreign + 64), "not a pointer this heap handed out");
  munmap(foreign, 4096);
}

#ifdef NDEBUG  // debug builds validate every free, so the bad free would abort first
TEST(HeapBadInput, CheckCatchesAForeignPointerInAGarbageBin) {
  Heap heap{Config{}};
  ThreadHeap t{heap};
  auto* p = static_cast<char*>(t.allocate(200));
  t.deallocate(p + 32);
  const CheckReport r = heap.check();
  EXPECT_FALSE(r.ok);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].find("garbage bin is not a chunk of any block"), std::string::npos) << r.summary();
}
#endif

}  // namespace
}  // namespace allocsim::allocator::testing
