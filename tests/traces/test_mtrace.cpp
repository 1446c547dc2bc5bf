// The glibc mtrace reader: every record shape, its errors, and the real
// recordings' reference figures (tests/fixtures/text_trace_figures.json).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/traces/text_trace_support.hpp"
#include "traces/mtrace_reader.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

using testing::ReadResult;

ReadResult read_mtrace(std::string_view text, const ReadOptions& options = {}) {
  return testing::read_text(make_mtrace_reader, text, options, "m.txt");
}

Event malloc_event(std::uint64_t id, std::uint64_t size) { return Event{.id = id, .size = size, .op = Op::Malloc}; }
Event free_event(std::uint64_t id) { return Event{.id = id, .op = Op::Free}; }

TEST(MtraceReader, EveryRecordShape) {
  const ReadResult r = read_mtrace(
      "= Start\n"
      "@ ./edgecases:[0x122c] + 0x55c07e94a4a0 0x64\n"
      "@ ./edgecases:[0x1254] < 0x55c07e94a4a0\n"
      "@ ./edgecases:[0x1254] > 0x55c07e94a570 0xc8\n"
      "@ ./edgecases:[0x131a] + (nil) 0x7fffffffffffffff\n"
      "@ /lib/x86_64-linux-gnu/libc.so.6:(_IO_file_doallocate+8c)[0x758cc] + 0x55c07e94b000 0x1000\n"
      "@ /home/my dir/prog:(main-1a)[0x1234] + 0x55c07e94c000 0\n"
      "@ [0x7f3dfc5a1234] - 0x55c07e94b000\n"
      "+ 0x55c07e94d000 0x10\n"
      "@ ./edgecases:[0x1260] ! 0x55c07e94a570 0x10000000000\n"
      "- 0x55c07e94a570\n"
      "= End\n");
  const std::vector<Event> expected = {
      malloc_event(0, 100),
      Event{.id = 1, .old_id = 0, .size = 200, .op = Op::Realloc},
      malloc_event(2, 4096),
      malloc_event(3, 0),
      free_event(2),
      malloc_event(4, 16),
      free_event(1),
  };
  EXPECT_EQ(r.events, expected);
  EXPECT_EQ(r.count(Anomaly::FailedAlloc), 2u);  // "+ (nil)" and "!"
  EXPECT_EQ(r.info.threads, 1u);
  EXPECT_FALSE(r.info.has_time);
  EXPECT_EQ(r.info.format, Format::Mtrace);
}

TEST(MtraceReader, ReallocInPlaceAndRepairs) {
  const ReadResult r = read_mtrace(
      "@ a:[0x1] + 0x10 0x8\n"
      "@ a:[0x2] < 0x10\n"
      "@ a:[0x2] > 0x10 0x20\n"   // same address: a new lifetime, no reuse
      "@ a:[0x3] - 0x99\n"        // unknown
      "@ a:[0x3] - (nil)\n"       // free(NULL)
      "@ a:[0x4] + 0x10 0x30\n"   // still live: the old lifetime ends
      "@ a:[0x5] < 0x77\n"        // unknown: realloc(NULL, n)
      "@ a:[0x5] > 0x80 0x40\n");
  const std::vector<Event> expected = {
      malloc_event(0, 8),
      Event{.id = 1, .old_id = 0, .size = 32, .op = Op::Realloc},
      free_event(1),
      malloc_event(2, 48),
      Event{.id = 3, .size = 64, .op = Op::Realloc},
  };
  EXPECT_EQ(r.events, expected);
  EXPECT_EQ(r.count(Anomaly::UnknownFree), 1u);
  EXPECT_EQ(r.count(Anomaly::NullFree), 1u);
  EXPECT_EQ(r.count(Anomaly::LiveReuse), 1u);
  EXPECT_EQ(r.count(Anomaly::UnknownRealloc), 1u);
}

TEST(MtraceReader, TruncatedReallocPairIsReported) {
  const ReadResult r = read_mtrace("@ a:[0x1] + 0x10 0x8\n@ a:[0x2] < 0x10\n");
  EXPECT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.count(Anomaly::Truncated), 1u);
}

TEST(MtraceReader, StrictModeRejectsRepairs) {
  EXPECT_THROW(read_mtrace("- 0x10\n", ReadOptions{.strict = true}), TraceError);
  EXPECT_NO_THROW(read_mtrace("- (nil)\n", ReadOptions{.strict = true}));
}

void expect_error_at(std::string_view text, std::uint64_t line, std::string_view words) {
  try {
    read_mtrace(text);
    ADD_FAILURE() << "expected a TraceError for:\n" << text;
  } catch (const TraceError& e) {
    EXPECT_EQ(e.file(), "m.txt");
    EXPECT_EQ(e.position(), line) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(MtraceReader, MalformedLinesAreErrorsWithFileAndLine) {
  expect_error_at("= Start\nhello world\n", 2, "not an mtrace record");
  expect_error_at("= Begin\n", 1, "unknown marker");
  expect_error_at("@ a:[0x1] + 0x10 0x1ffffffffffffffff\n", 1, "out of range");
  expect_error_at("@ a:[0x1] + 0x10 big\n", 1, "not a number");
  expect_error_at("@ a:[0x1] + 10 0x8\n", 1, "not a pointer");
  expect_error_at("@ a:[0x1] - 0x1ffffffffffffffff\n", 1, "out of range");
  expect_error_at("junk + 0x10 0x8\n", 1, "not a caller");
  expect_error_at("@ a:[0x1] + 0x10 0x8\n@ a:[0x2] < 0x10\n@ a:[0x3] - 0x10\n", 3, "not followed");
  expect_error_at("@ a:[0x2] > 0x10 0x8\n", 1, "without a preceding");
}

TEST(MtraceReader, Detection) {
  EXPECT_TRUE(looks_like_mtrace("= Start\n@ ./edgecases:[0x122c] + 0x55c07e94a4a0 0x64\n"));
  EXPECT_TRUE(looks_like_mtrace("\n@ /lib/x86_64-linux-gnu/libc.so.6:[0x39221] + 0x557b2677b2a0 0x5\n"));
  EXPECT_FALSE(looks_like_mtrace("15238 03:13:27.417238 malloc@libc.so.6(100) = 0x55868f7532a0\n"));
  EXPECT_FALSE(looks_like_mtrace("# allocsim-csv v1\n0,malloc,0,100\n"));
  EXPECT_FALSE(looks_like_mtrace("+ 64 8 563946bff1d0\n"));  // heaptrack raw
}

nlohmann::json reference() {
  std::ifstream in(std::string(ALLOCSIM_SOURCE_DIR) + "/tests/fixtures/text_trace_figures.json");
  EXPECT_TRUE(in) << "missing tests/fixtures/text_trace_figures.json";
  return nlohmann::json::parse(in).at("mtrace");
}

TEST(MtraceSamples, ReproduceTheReferenceFigures) {
  const nlohmann::json table = reference();
  ASSERT_EQ(table.size(), 2u);
  for (const auto& want : table) {
    const std::string file = want.at("file");
    SCOPED_TRACE(file);
    const ReadResult r = testing::read_sample(make_mtrace_reader, file);
    const testing::Fold f = testing::fold(r.events);
    EXPECT_EQ(f.allocs, want.at("allocs").get<std::uint64_t>());  // '+' and '>' lines
    EXPECT_EQ(f.frees + f.realloc_moves, want.at("frees").get<std::uint64_t>());  // '-' and '<' lines
    EXPECT_EQ(f.reallocs, want.at("realloc_pairs").get<std::uint64_t>());
    if (want.contains("failed")) {
      EXPECT_EQ(r.count(Anomaly::FailedAlloc), want.at("failed").get<std::uint64_t>());
    }
    EXPECT_EQ(f.peak_live_bytes, want.at("peak_live_bytes").get<std::uint64_t>());
    EXPECT_EQ(f.live_bytes, want.at("final_live_bytes").get<std::uint64_t>());
    EXPECT_EQ(f.live_blocks, want.at("final_live_blocks").get<std::uint64_t>());
    EXPECT_EQ(r.anomalies.repairs(), r.count(Anomaly::FailedAlloc));
    LineReader lines(open_input(testing::sample_path(file)));
    EXPECT_TRUE(looks_like_mtrace(lines.peek(64 * 1024)));
  }
}

}  // namespace
}  // namespace allocsim::traces
