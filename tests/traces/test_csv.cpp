// allocsim's CSV trace format: reading, validation, the writer's exact
// output, atomic writes, and lossless round trips (CSV and native).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/common/files.hpp"
#include "tests/traces/text_trace_support.hpp"
#include "traces/csv_format.hpp"
#include "traces/event_writer.hpp"
#include "traces/ltrace_reader.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

namespace fs = std::filesystem;
using testing::ReadResult;

ReadResult read_csv(std::string_view text, const ReadOptions& options = {}) {
  return testing::read_text(make_csv_reader, text, options, "t.csv");
}

// A fresh directory per test, removed afterwards.
class CsvFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "allocsim-csv-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }
  static std::string slurp(const std::string& p) { return allocsim::testing::read_file(p); }
  static void write_csv(const std::string& p, const std::vector<Event>& events) {
    auto w = make_csv_writer(p);
    w->write(events);
    w->finish();
  }
  fs::path dir_;
};

TEST(CsvReader, ReadsTheDocumentedExample) {
  const ReadResult r = read_csv(
      "# allocsim-csv v1\n"
      "# thread,op,id,size,align,old_id,time_ns\n"
      "0,malloc,0,100\n"
      "0,calloc,1,80,,,1500\n"
      "\n"
      "1,realloc,2,200,,0,2100\n"
      "0, memalign ,3,300,64\n"
      "1,free,2\n"
      "0,free,1,,,,9000\n");
  const std::vector<Event> expected = {
      Event{.id = 0, .size = 100, .op = Op::Malloc},
      Event{.time = 1500, .id = 1, .size = 80, .op = Op::Calloc},
      Event{.time = 2100, .id = 2, .old_id = 0, .size = 200, .thread = 1, .op = Op::Realloc},
      Event{.id = 3, .size = 300, .align = 64, .op = Op::Memalign},
      Event{.id = 2, .thread = 1, .op = Op::Free},
      Event{.time = 9000, .id = 1, .op = Op::Free},
  };
  EXPECT_EQ(r.events, expected);
  EXPECT_EQ(r.info.threads, 2u);
  EXPECT_TRUE(r.info.has_time);
  EXPECT_EQ(r.info.format, Format::Csv);
  EXPECT_EQ(r.anomalies.repairs(), 0u);
}

TEST(CsvReader, LabelsAreRenumberedInOrderOfBirthAndAppearance) {
  const ReadResult r = read_csv(
      "7,malloc,500,1\n"
      "3,malloc,42,2\n"
      "7,free,500\n"
      "3,malloc,500,3\n"   // a label may be reused once its object died
      "7,realloc,9,4,,42\n");
  const std::vector<Event> expected = {
      Event{.id = 0, .size = 1, .thread = 0, .op = Op::Malloc},
      Event{.id = 1, .size = 2, .thread = 1, .op = Op::Malloc},
      Event{.id = 0, .thread = 0, .op = Op::Free},
      Event{.id = 2, .size = 3, .thread = 1, .op = Op::Malloc},
      Event{.id = 3, .old_id = 1, .size = 4, .thread = 0, .op = Op::Realloc},
  };
  EXPECT_EQ(r.events, expected);
}

TEST(CsvReader, ADroppedLineNumbersNoThread) {
  const ReadResult r = read_csv("7,free,77\n3,malloc,500,5\n");
  EXPECT_EQ(r.events, (std::vector<Event>{Event{.id = 0, .size = 5, .thread = 0, .op = Op::Malloc}}));
  EXPECT_EQ(r.info.threads, 1u);
}

TEST(CsvReader, LivenessProblemsAreAnomalies) {
  const ReadResult r = read_csv(
      "0,malloc,1,10\n"
      "0,free,5\n"
      "0,malloc,1,20\n"
      "0,realloc,2,30,,77\n");
  EXPECT_EQ(r.count(Anomaly::UnknownFree), 1u);
  EXPECT_EQ(r.count(Anomaly::LiveReuse), 1u);
  EXPECT_EQ(r.count(Anomaly::UnknownRealloc), 1u);
  EXPECT_EQ(r.anomalies.samples[static_cast<int>(Anomaly::UnknownFree)].at(0).line, 2u);
  const std::vector<Event> expected = {
      Event{.id = 0, .size = 10, .op = Op::Malloc},
      Event{.id = 0, .op = Op::Free},
      Event{.id = 1, .size = 20, .op = Op::Malloc},
      Event{.id = 2, .size = 30, .op = Op::Realloc},
  };
  EXPECT_EQ(r.events, expected);
  try {
    read_csv("0,malloc,1,10\n0,free,5\n", ReadOptions{.strict = true});
    FAIL() << "expected a TraceError";
  } catch (const TraceError& e) {
    EXPECT_NE(std::string(e.what()).find("t.csv:2: unknown_free"), std::string::npos) << e.what();
  }
}

void expect_error_at(std::string_view text, std::uint64_t line, std::string_view words) {
  try {
    read_csv(text);
    ADD_FAILURE() << "expected a TraceError for:\n" << text;
  } catch (const TraceError& e) {
    EXPECT_EQ(e.file(), "t.csv");
    EXPECT_EQ(e.position(), line) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(CsvReader, MalformedLinesAreErrorsWithFileAndLine) {
  expect_error_at("0,malloc,0,1\n0,mallocc,1,2\n", 2, "unknown op 'mallocc'");
  expect_error_at("0,malloc,0,abc\n", 1, "size 'abc' is not");
  expect_error_at("0,malloc,0,-5\n", 1, "size '-5' is not");
  expect_error_at("0,malloc,0,18446744073709551616\n", 1, "size '18446744073709551616' is out of range");
  expect_error_at("4294967295,malloc,0,1\n", 1, "thread 4294967295 is out of range");
  expect_error_at("0,malloc\n", 1, "at least thread,op,id");
  expect_error_at("0,malloc,0,1,0,,5,6\n", 1, "more than 7 fields");
  expect_error_at("0,malloc,0\n", 1, "needs a size");
  expect_error_at("0,memalign,0,8,24\n", 1, "power of two");
  expect_error_at("0,malloc,0,8,,3\n", 1, "only allowed on realloc");
  expect_error_at("0,malloc,0,8,,,100\n0,malloc,1,8,,,99\n", 2, "earlier than");
  expect_error_at("0,malloc,0,8,,,18446744073709551615\n", 1, "out of range");
  expect_error_at("# allocsim-csv v2\n0,malloc,0,8\n", 1, "unsupported allocsim-csv version");
  expect_error_at("0 ,malloc,0,1 2\n", 1, "size '1 2' is not");
}

TEST(CsvReader, Detection) {
  EXPECT_TRUE(looks_like_csv("# allocsim-csv v1\n"));
  EXPECT_TRUE(looks_like_csv("# hand-written\n\n0,malloc,0,100\n"));
  EXPECT_TRUE(looks_like_csv("thread,op,id,size,align,old_id,time_ns\n3,free,7\n"));
  EXPECT_FALSE(looks_like_csv("malloc@libc.so.6(100) = 0x10\n"));
  EXPECT_FALSE(looks_like_csv("= Start\n"));
  EXPECT_FALSE(looks_like_csv("a,b,c\n"));
  EXPECT_FALSE(looks_like_csv(""));
}

TEST_F(CsvFiles, WriterOutputIsExactAndMinimal) {
  const std::vector<Event> events = {
      Event{.id = 0, .size = 100, .op = Op::Malloc},
      Event{.time = 1500, .id = 1, .size = 0, .op = Op::Calloc},
      Event{.time = 2100, .id = 2, .old_id = 0, .size = 200, .thread = 1, .op = Op::Realloc},
      Event{.id = 3, .size = 300, .align = 64, .op = Op::Memalign},
      Event{.id = 4, .size = 5, .op = Op::Realloc},
      Event{.id = 2, .thread = 1, .op = Op::Free},
      Event{.time = 9000, .id = 1, .op = Op::Free},
  };
  write_csv(path("a.csv"), events);
  EXPECT_EQ(slurp(path("a.csv")),
            "# allocsim-csv v1\n"
            "# thread,op,id,size,align,old_id,time_ns\n"
            "0,malloc,0,100\n"
            "0,calloc,1,0,,,1500\n"
            "1,realloc,2,200,,0,2100\n"
            "0,memalign,3,300,64\n"
            "0,realloc,4,5\n"
            "1,free,2\n"
            "0,free,1,,,,9000\n");
}

TEST_F(CsvFiles, WriterIsAtomic) {
  const std::string p = path("b.csv");
  {
    auto w = make_csv_writer(p);
    w->write(std::vector<Event>{Event{.id = 0, .size = 1}});
    EXPECT_FALSE(fs::exists(p));
  }  // destroyed without finish(): nothing appears, no temporary is left
  EXPECT_FALSE(fs::exists(p));
  EXPECT_TRUE(fs::is_empty(dir_));
  auto w = make_csv_writer(p);
  w->write(std::vector<Event>{Event{.id = 0, .size = 1}});
  w->finish();
  EXPECT_TRUE(fs::exists(p));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
  EXPECT_THROW(w->finish(), std::logic_error);
}

TEST_F(CsvFiles, WriterRejectsWhatTheFormatCannotHold) {
  auto w = make_csv_writer(path("c.csv"));
  EXPECT_THROW(w->write(std::vector<Event>{Event{.id = 0, .old_id = 3, .op = Op::Free}}), std::invalid_argument);
  EXPECT_THROW(make_csv_writer((dir_ / "no-such-dir" / "d.csv").string()), TraceError);
}

// A real multi-threaded recording: every op, cross-thread frees, times.
std::vector<Event> sample_events() {
  return testing::read_sample(make_ltrace_reader, "lt_mt_prodcons_x.txt.gz").events;
}

TEST_F(CsvFiles, CsvRoundTripIsExact) {
  const std::vector<Event> events = sample_events();
  ASSERT_GT(events.size(), 10000u);
  write_csv(path("one.csv"), events);
  const ReadResult back = testing::read_text(make_csv_reader, slurp(path("one.csv")));
  EXPECT_EQ(back.events, events);
  EXPECT_EQ(back.anomalies.repairs(), 0u);
  write_csv(path("two.csv"), back.events);
  EXPECT_EQ(slurp(path("one.csv")), slurp(path("two.csv")));
}

std::vector<Event> read_all(const std::string& p) { return testing::drain(*open_trace(p)).events; }

TEST_F(CsvFiles, NativeToCsvToNativeIsExact) {
  const std::vector<Event> events = sample_events();
  auto native = create_writer(path("a.trace"), Format::Native);
  native->write(events);
  native->finish();
  const std::vector<Event> from_native = read_all(path("a.trace"));
  ASSERT_EQ(from_native, events);

  auto csv = create_writer(path("a.csv"));  // chosen by the name
  csv->write(from_native);
  csv->finish();
  const std::vector<Event> from_csv = read_all(path("a.csv"));  // detected by content
  ASSERT_EQ(from_csv, events);

  auto again = create_writer(path("b.trace"), Format::Native);
  again->write(from_csv);
  again->finish();
  EXPECT_EQ(read_all(path("b.trace")), events);
  EXPECT_EQ(slurp(path("a.trace")), slurp(path("b.trace")));
}

}  // namespace
}  // namespace allocsim::traces
