// The native binary format: exact round trips, header fields, atomic
// writing, and errors with byte offsets for damaged files.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "tests/traces/trace_support.hpp"
#include "traces/event_writer.hpp"
#include "traces/native_format.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

using testing::TempDir;

// Every field and op, threads switching, times going back and forth,
// more events than one block holds.
std::vector<Event> varied_events(std::size_t count) {
  std::mt19937_64 rng(11);
  std::vector<Event> events;
  std::vector<std::uint64_t> live;
  std::uint64_t next = 0, time = 1000;
  std::uint32_t threads = 0;
  int dense[5] = {-1, -1, -1, -1, -1};
  while (events.size() < count) {
    Event e;
    // Dense thread indices in order of first appearance, as the model says.
    const auto label = rng() % 5;
    if (dense[label] < 0) dense[label] = static_cast<int>(threads++);
    e.thread = static_cast<std::uint32_t>(dense[label]);
    if (rng() % 3 == 0) {
      time += rng() % 100000;
      e.time = time - rng() % 50;  // not monotonic across threads
    }
    const int choice = static_cast<int>(rng() % 10);
    if (!live.empty() && choice < 4) {
      const std::size_t k = rng() % live.size();
      e.op = Op::Free;
      e.id = live[k];
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
      e.op = choice == 4 ? Op::Calloc : choice == 5 ? Op::Memalign : choice == 6 ? Op::Realloc : Op::Malloc;
      e.size = rng() >> (rng() % 64);
      if (e.op == Op::Memalign) e.align = 1u << (rng() % 20);
      if (e.op == Op::Realloc && !live.empty() && rng() % 2) {
        const std::size_t k = rng() % live.size();
        e.old_id = live[k];
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
      }
      e.id = next++;
      live.push_back(e.id);
    }
    events.push_back(e);
  }
  return events;
}

std::string write_native(const TempDir& dir, const std::string& name, const std::vector<Event>& events) {
  const std::string path = dir.path(name);
  auto writer = make_native_writer(path);
  writer->write(events);
  writer->finish();
  return path;
}

TEST(NativeFormat, RoundTripsEveryField) {
  TempDir dir;
  const auto events = varied_events(200'000);
  const std::string path = write_native(dir, "v.native", events);
  auto reader = open_trace(path);
  EXPECT_EQ(reader->info().format, Format::Native);
  EXPECT_EQ(reader->info().threads, 5u);
  EXPECT_TRUE(reader->info().has_time);
  EXPECT_EQ(testing::drain(*reader, 4099), events);
}

TEST(NativeFormat, EmptyTraceRoundTrips) {
  TempDir dir;
  const std::string path = write_native(dir, "empty.native", {});
  EXPECT_TRUE(testing::read_all(path).empty());
  EXPECT_EQ(open_trace(path)->info().threads, 0u);
}

TEST(NativeFormat, CarriesTheSourceInfo) {
  TempDir dir;
  const std::string path = dir.path("info.native");
  auto writer = make_native_writer(path);
  TraceInfo info;
  info.format = Format::HeaptrackRaw;
  info.page_size = 4096;
  info.peak_rss_bytes = 123456;
  info.runtime_ms = 77;
  info.traced_wall_ns = 5'000'000'000;
  info.untraced_wall_ns = 1'250'000'000;
  writer->set_info(info);
  writer->write(std::vector<Event>{{.id = 0, .size = 8}});
  writer->finish();
  const auto reader = open_trace(path);
  EXPECT_EQ(reader->info().page_size, 4096u);
  EXPECT_EQ(reader->info().peak_rss_bytes, 123456u);
  EXPECT_EQ(reader->info().runtime_ms, 77u);
  EXPECT_EQ(reader->info().traced_wall_ns, 5'000'000'000u);
  EXPECT_EQ(reader->info().untraced_wall_ns, 1'250'000'000u);
  EXPECT_FALSE(reader->info().has_time);
}

// heaptrack's `R` records (the program's own RSS) survive conversion, as
// `allocsim convert` does it: the info is set once the source is read.
TEST(NativeFormat, CarriesTheRecordedProgramsRss) {
  TempDir dir;
  auto source = open_trace(testing::sample("ht_python_json.raw.zst"));
  const std::vector<Event> events = testing::drain(*source, 4096);
  const std::vector<RssSample>& rss = source->info().rss_samples;
  ASSERT_GT(rss.size(), 2u);
  std::uint64_t top = 0;
  for (std::size_t i = 0; i < rss.size(); ++i) {
    top = std::max(top, rss[i].bytes);
    if (i) {
      EXPECT_GE(rss[i].events, rss[i - 1].events);
    }
    EXPECT_LE(rss[i].events, events.size());
  }
  EXPECT_EQ(top, source->info().peak_rss_bytes);  // bytes, not pages
  const std::string path = dir.path("rss.native");
  auto writer = make_native_writer(path);
  writer->write(events);
  writer->set_info(source->info());
  writer->finish();
  auto copy = open_trace(path);
  EXPECT_TRUE(copy->info().rss_samples.empty());  // they follow the last block
  EXPECT_EQ(testing::drain(*copy, 1000), events);
  EXPECT_EQ(copy->info().rss_samples, rss);

  // Damage in the samples is found, with the offset of their section.
  const std::string whole = testing::read_file(path);
  const std::size_t section = whole.rfind("RSSS");
  ASSERT_NE(section, std::string::npos);
  std::string damaged = whole;
  damaged[whole.size() - 1] = static_cast<char>(damaged[whole.size() - 1] ^ 0x40);
  for (const std::string& bad : {damaged, whole.substr(0, whole.size() - 3)}) {
    try {
      testing::read_all(dir.write("bad.native", bad));
      ADD_FAILURE() << "damaged RSS samples were read";
    } catch (const TraceError& e) {
      EXPECT_EQ(e.position(), section) << e.what();
    }
  }
  // Samples out of stream order are the writer's caller's bug.
  TraceInfo disordered;
  disordered.rss_samples = {{5, 0, 4096}, {2, 1, 4096}};
  auto w = make_native_writer(dir.path("disordered.native"));
  w->write(events);
  w->set_info(disordered);
  EXPECT_THROW(w->finish(), std::invalid_argument);
}

// Version 1 files (80-byte header, no wall times) are still read.
TEST(NativeFormat, VersionOneFilesAreStillRead) {
  const std::string path = std::string(ALLOCSIM_SOURCE_DIR) + "/tests/fuzz/corpus/native/steady.native";
  ASSERT_EQ(testing::read_file(path).substr(8, 8), std::string("\x01\0\0\0\x50\0\0\0", 8)) << "the fixture is a version 1 file";
  const auto reader = open_trace(path);
  EXPECT_FALSE(testing::read_all(path).empty());
  EXPECT_EQ(reader->info().traced_wall_ns, 0u);
}

// Every sample of every format: reading the native copy gives back exactly
// the events the source reader produced.
class NativeSampleRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(NativeSampleRoundTrip, AnyToNativeGivesTheSameEvents) {
  TempDir dir;
  const auto events = testing::read_all(testing::sample(GetParam()));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(testing::read_all(write_native(dir, "s.native", events)), events);
}

INSTANTIATE_TEST_SUITE_P(Samples, NativeSampleRoundTrip,
                         ::testing::Values("ht_python_json.raw.zst", "ht_sqlite3.zst", "ht_mt_prodcons.raw.zst",
                                           "ht_edgecases.zst", "lt_mt_prodcons_x.txt.gz", "lt_sqlite3_plt.txt.gz",
                                           "lt_edgecases_x.txt", "mtrace_sort.txt.gz", "mtrace_edgecases.txt"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(NativeFormat, NativeToCsvToNativeIsExact) {
  TempDir dir;
  auto events = varied_events(5000);
  for (std::size_t i = 0; i < events.size(); ++i)  // the CSV reader wants time to go forward
    if (events[i].time != kNoTime) events[i].time = i * 10;
  const std::string native = write_native(dir, "a.native", events);
  auto csv = create_writer(dir.path("a.csv"));
  csv->write(testing::read_all(native));
  csv->finish();
  EXPECT_EQ(testing::read_all(dir.path("a.csv")), events);
}

TEST(NativeFormat, NothingAppearsBeforeFinishAndAbandonedWritesLeaveNoTrace) {
  TempDir dir;
  const std::string path = dir.path("x.native");
  {
    auto writer = make_native_writer(path);
    writer->write(varied_events(10));
    EXPECT_FALSE(std::filesystem::exists(path));
  }
  EXPECT_TRUE(std::filesystem::is_empty(std::filesystem::path(path).parent_path()));
}

TEST(NativeFormat, WriterRejectsStreamsOutsideTheEventModel) {
  TempDir dir;
  auto writer = make_native_writer(dir.path("bad.native"));
  EXPECT_THROW(writer->write(std::vector<Event>{{.id = 5, .size = 8}}), std::invalid_argument);
  auto writer2 = make_native_writer(dir.path("bad2.native"));
  EXPECT_THROW(writer2->write(std::vector<Event>{{.id = 0, .op = Op::Free}}), std::invalid_argument);
}

std::string error_of(const std::string& path, TraceError::Where* where = nullptr, std::uint64_t* pos = nullptr) {
  try {
    testing::read_all(path);
  } catch (const TraceError& e) {
    if (where) *where = e.where();
    if (pos) *pos = e.position();
    return e.what();
  }
  return "";
}

TEST(NativeFormat, TruncatedFilesAreErrorsWithOffsets) {
  TempDir dir;
  const std::string whole = testing::read_file(write_native(dir, "w.native", varied_events(70'000)));
  for (const std::size_t size : {std::size_t{0}, std::size_t{10}, std::size_t{80}, std::size_t{90}, whole.size() / 2,
                                 whole.size() - 1}) {
    const std::string path = dir.write("cut.native", whole.substr(0, size));
    TraceError::Where where = TraceError::Where::None;
    std::uint64_t pos = 0;
    const std::string error = error_of(path, &where, &pos);
    EXPECT_NE(error, "") << "size " << size;
    if (size >= 8) {
      EXPECT_EQ(where, TraceError::Where::Offset) << error;
      EXPECT_LE(pos, size) << error;
    }
  }
}

TEST(NativeFormat, DamagedBytesAreDetected) {
  TempDir dir;
  const std::string whole = testing::read_file(write_native(dir, "w.native", varied_events(70'000)));
  std::mt19937 rng(5);
  for (int trial = 0; trial < 50; ++trial) {
    std::string damaged = whole;
    const std::size_t at = rng() % damaged.size();
    damaged[at] = static_cast<char>(damaged[at] ^ (1 + rng() % 255));
    const std::string error = error_of(dir.write("d.native", damaged));
    EXPECT_NE(error.find(": byte "), std::string::npos) << "flipped byte " << at << ": " << error;
  }
  EXPECT_NE(error_of(dir.write("extra.native", whole + "x")).find("data after the last block"), std::string::npos);
}

TEST(NativeFormat, CompressedNativeFilesAreRead) {
  TempDir dir;
  const auto events = varied_events(3000);
  const std::string raw = testing::read_file(write_native(dir, "c.native", events));
  EXPECT_EQ(testing::read_all(dir.write("c.native.zst", testing::zstd_compress(raw))), events);
}

}  // namespace
}  // namespace allocsim::traces
