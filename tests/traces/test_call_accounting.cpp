// The call counts the ltrace and mtrace readers hand to trace_stats()
// through CallAccounting (traces/call_accounting.hpp), on small inline
// recordings where calls and events differ on purpose.
#include <gtest/gtest.h>

#include "tests/traces/trace_support.hpp"
#include "traces/call_accounting.hpp"
#include "traces/input_stream.hpp"
#include "traces/ltrace_reader.hpp"
#include "traces/mtrace_reader.hpp"
#include "traces/prefetch_reader.hpp"
#include "traces/trace_stats.hpp"

namespace allocsim::traces {
namespace {

using MakeReader = std::unique_ptr<EventReader> (*)(std::unique_ptr<LineReader>, const ReadOptions&);
using ByFunction = std::vector<std::pair<std::string, std::uint64_t>>;

TraceStats stats_of_text(MakeReader make, std::string_view text) {
  auto reader = make(std::make_unique<LineReader>(make_memory_source(text, "t.txt")), ReadOptions{});
  return trace_stats(*reader);
}

TEST(CallAccounting, LtraceCountsOutermostCallsNotEvents) {
  const TraceStats s = stats_of_text(make_ltrace_reader,
                                     "1 malloc(100) = 0x10\n"
                                     "1 free(0) = <void>\n"
                                     "1 free(0x999) = <void>\n"
                                     "1 posix_memalign(0x7ff0, 64, 1000000) = 12\n"
                                     "1 realloc(0x10, 99999999999) = 0\n"
                                     "1 realloc(0, 50 <unfinished ...>\n"
                                     "1 malloc(50) = 0x20\n"
                                     "1 <... realloc resumed> ) = 0x20\n"
                                     "1 realloc(0x20, 0 <unfinished ...>\n"
                                     "1 free(0x20) = <void>\n"
                                     "1 <... realloc resumed> ) = 0\n"
                                     "2 memalign(64, 128) = 0x40\n"
                                     "2 malloc(999999999999) = 0\n"
                                     "1 free(0x10) = <void>\n");
  ASSERT_TRUE(s.calls);
  const CallCounts& c = *s.calls;
  // The malloc and free inside the two reallocs are not calls of the program.
  EXPECT_EQ(c.alloc_calls, 7u);
  EXPECT_EQ(c.alloc_calls_by_function, (ByFunction{{"malloc", 2}, {"realloc", 3}, {"posix_memalign", 1}, {"memalign", 1}}));
  EXPECT_EQ(c.free_calls, 3u);
  EXPECT_EQ(c.null_frees, 1u);
  EXPECT_EQ(c.failed_allocs, 3u);  // posix_memalign's errno, the huge realloc and malloc
  EXPECT_FALSE(c.realloc_pairs);
  // Events: 3 births (malloc, realloc(0, 50), memalign); deaths by realloc(p, 0) and free(0x10).
  EXPECT_EQ(s.allocations, 3u);
  EXPECT_EQ(s.frees, 2u);
  EXPECT_EQ(s.unknown_frees, 1u);
}

TEST(CallAccounting, LtraceCountsAMislabelledLibcCallAsNothing) {
  const TraceStats s = stats_of_text(make_ltrace_reader,
                                     "15241 edgecases->malloc(100) = 0x564a5f2842a0\n"
                                     "15241 libc.so.6->realloc(0x7f76933671b4, 5) = 0x5\n"
                                     "15241 edgecases->free(0x564a5f2842a0) = <void>\n");
  ASSERT_TRUE(s.calls);
  EXPECT_EQ(s.calls->alloc_calls, 1u);
  EXPECT_EQ(s.calls->alloc_calls_by_function, (ByFunction{{"malloc", 1}}));
  EXPECT_EQ(s.calls->free_calls, 1u);
}

TEST(CallAccounting, MtraceCountsRecordsAndReallocPairs) {
  const TraceStats s = stats_of_text(make_mtrace_reader,
                                     "= Start\n"
                                     "@ ./p:[0x1] + 0x10 0x64\n"
                                     "@ ./p:[0x2] < 0x10\n"
                                     "@ ./p:[0x2] > 0x20 0xc8\n"
                                     "@ ./p:[0x3] + (nil) 0x7fffffffffffffff\n"
                                     "@ ./p:[0x4] + 0x30 0\n"
                                     "@ ./p:[0x5] ! 0x20 0x10000000000\n"
                                     "@ ./p:[0x6] - (nil)\n"
                                     "@ ./p:[0x7] - 0x999\n"
                                     "@ ./p:[0x8] < 0x30\n"
                                     "@ ./p:[0x8] > 0x40 0x8\n"
                                     "- 0x20\n"
                                     "= End\n");
  ASSERT_TRUE(s.calls);
  const CallCounts& c = *s.calls;
  EXPECT_EQ(c.alloc_calls, 4u);    // `+` and `>` with a block; a size-0 block counts
  EXPECT_EQ(c.failed_allocs, 2u);  // `+ (nil)` and `!`
  EXPECT_EQ(c.free_calls, 5u);     // `-` and `<`, (nil) and unknown ones included
  EXPECT_EQ(c.null_frees, 1u);
  ASSERT_TRUE(c.realloc_pairs);
  EXPECT_EQ(*c.realloc_pairs, 2u);
  EXPECT_TRUE(c.alloc_calls_by_function.empty());  // mtrace does not name functions
  EXPECT_EQ(s.frees, 3u);  // events: 2 realloc moves and `- 0x20`
}

TEST(CallAccounting, MtraceWithoutRecordsHasZeroCounts) {
  const TraceStats s = stats_of_text(make_mtrace_reader, "= Start\n= End\n");
  ASSERT_TRUE(s.calls);
  EXPECT_EQ(s.calls->alloc_calls, 0u);
  EXPECT_EQ(s.calls->free_calls, 0u);
  EXPECT_EQ(s.calls->realloc_pairs, std::optional<std::uint64_t>{0});
}

// A reader that sees calls: trace_stats() asks any reader for them.
class CountingReader final : public testing::VectorReader {
 public:
  using VectorReader::VectorReader;
  std::optional<CallCounts> calls() const override {
    CallCounts c;
    c.alloc_calls = 5;
    c.free_calls = 4;
    c.failed_allocs = 1;
    return c;
  }
};

TEST(CallAccounting, TraceStatsTakesThemFromAnyReaderImplementingIt) {
  CountingReader counting({Event{.id = 0, .size = 8, .op = Op::Malloc}});
  const TraceStats with = trace_stats(counting);
  ASSERT_TRUE(with.calls);
  EXPECT_EQ(with.calls->alloc_calls, 5u);
  EXPECT_EQ(with.calls->free_calls, 4u);
  EXPECT_EQ(with.calls->failed_allocs, 1u);
  EXPECT_EQ(with.allocations, 1u);  // the event-level figures are the stream's own

  testing::VectorReader plain({Event{.id = 0, .size = 8, .op = Op::Malloc}});
  EXPECT_FALSE(trace_stats(plain).calls);
}

// The read-ahead wrapper hands on what its reader counted, and where it is in the file.
TEST(CallAccounting, ReadAheadForwardsCallsAndPosition) {
  const std::string path = testing::sample("mtrace_sort.txt.gz");
  const TraceStats direct = trace_stats(*open_trace(path));
  auto reader = read_ahead(open_trace(path));
  EXPECT_FALSE(reader->calls());  // not final before the end
  const ReadPosition opened = reader->position();
  EXPECT_GT(opened.size, 0u);
  const TraceStats ahead = trace_stats(*reader);
  ASSERT_TRUE(ahead.calls);
  EXPECT_EQ(ahead.calls->alloc_calls, direct.calls->alloc_calls);
  EXPECT_EQ(ahead.calls->free_calls, direct.calls->free_calls);
  EXPECT_EQ(reader->position().bytes, opened.size);
  auto heaptrack = read_ahead(open_trace(testing::sample("ht_edgecases.zst")));
  EXPECT_TRUE(trace_stats(*heaptrack).heaptrack);
}

TEST(CallAccounting, HeaptrackReadersHaveNone) {
  auto reader = open_trace(testing::sample("ht_edgecases.zst"), ReadOptions{});
  EXPECT_FALSE(trace_stats(*reader).calls);
}

}  // namespace
}  // namespace allocsim::traces
