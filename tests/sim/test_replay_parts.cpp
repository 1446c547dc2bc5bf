// Unit tests of the replay's parts: latency percentiles, the fragmentation
// measures, timeline decimation, the object table, simulated RSS, the
// replay knobs and atomic files.
#include <sys/mman.h>

#include <cstring>
#include <filesystem>

#include "allocator/os_layer.hpp"
#include "sim/atomic_file.hpp"
#include "sim/fragmentation.hpp"
#include "sim/latency.hpp"
#include "sim/object_table.hpp"
#include "sim/replay_config.hpp"
#include "sim/sim_os.hpp"
#include "sim/timeline.hpp"
#include "tests/sim/replay_test_support.hpp"
#include "tests/traces/trace_support.hpp"

namespace allocsim::sim::testing {
namespace {

using traces::testing::TempDir;

TEST(LatencyHistogram, PercentilesAreWithinABucket) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 1000; ++v) h.add(v);
  EXPECT_EQ(h.samples(), 1000u);
  const Latency l = h.summary();
  EXPECT_NEAR(static_cast<double>(l.p50_ns), 500, 500 / 8.0);
  EXPECT_NEAR(static_cast<double>(l.p99_ns), 990, 990 / 8.0);
  EXPECT_EQ(l.max_ns, 1000u);
  EXPECT_DOUBLE_EQ(l.mean_ns, 500.5);
  EXPECT_LE(l.p999_ns, l.max_ns);
  LatencyHistogram other;
  other.add(1u << 30);
  EXPECT_EQ((h + other).summary().max_ns, 1u << 30);
  EXPECT_EQ((h + other).samples(), 1001u);
  for (int b = 1; b < LatencyHistogram::bucket(~std::uint64_t{0}); ++b)
    ASSERT_EQ(LatencyHistogram::bucket(LatencyHistogram::upper(b)), b) << b;
}

TEST(Fragmentation, JohnstoneWilsonMeasures) {
  FragmentationTracker f;
  f.observe(0, 100, 200);   // 2x for 10 ns
  f.observe(10, 400, 500);  // peak live: 1.25x for 10 ns
  f.observe(20, 100, 800);  // peak footprint: 8x for 20 ns
  f.observe(30, 200, 800);  // still at the footprint peak, more live: 4x
  const Fragmentation r = f.result(40);
  // Average footprint over average live, not the average of the ratios.
  EXPECT_DOUBLE_EQ(*r.jw1_time_average, (200.0 * 10 + 500 * 10 + 800 * 10 + 800 * 10) / (100 * 10 + 400 * 10 + 100 * 10 + 200 * 10) - 1);
  EXPECT_DOUBLE_EQ(*r.jw2_at_peak_live, 0.25);
  EXPECT_DOUBLE_EQ(*r.jw3_at_peak_footprint, 3.0);  // 800 / 200
  EXPECT_DOUBLE_EQ(*r.jw4_peak_over_peak, 1.0);     // 800 / 400
  EXPECT_FALSE(FragmentationTracker().result(5).jw1_time_average.has_value());
  // A moment with a few live bytes weighs by its bytes, not by its ratio.
  FragmentationTracker g;
  g.observe(0, 1, 1000);     // 1000x for 10 ns
  g.observe(10, 1000, 1100); // 1.1x for 90 ns
  EXPECT_NEAR(*g.result(100).jw1_time_average, (1000.0 * 10 + 1100 * 90) / (1 * 10 + 1000 * 90) - 1, 1e-12);
  EXPECT_LT(*g.result(100).jw1_time_average, 0.25);
}

TEST(Timeline, DoublesThePeriodInsteadOfGrowingPastTheCap) {
  TimelineRecorder t(10, 4, {32});
  for (std::uint64_t i = 0; i < 9; ++i) {
    ASSERT_EQ(t.next_due() % t.timeline().period_ns, 0u);
    TimelineSample s;
    s.time_ns = t.next_due();
    s.live_bytes = s.time_ns;
    s.queue_targets = {s.time_ns};
    t.add(s);
  }
  const Timeline& tl = t.timeline();
  EXPECT_LE(tl.time_ns.size(), 4u);
  EXPECT_EQ(tl.period_ns, 80u);  // 10 -> 20 -> 40 -> 80 as samples reached the cap
  for (std::size_t i = 0; i < tl.time_ns.size(); ++i) {
    EXPECT_EQ(tl.time_ns[i], i * tl.period_ns);
    EXPECT_EQ(tl.live_bytes[i], tl.time_ns[i]);
    EXPECT_EQ(tl.queue_targets[i][0], tl.time_ns[i]);
  }
  EXPECT_EQ(t.host_rss().size(), tl.time_ns.size());
}

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

TEST(ReplayConfig, PolicyThenFileThenSets) {
  TempDir dir;
  const std::string ini = dir.write("run.ini", "; both tables in one file\nqueue_initial = 32\nwake_latency_ns = 777\ntouch = first\n");
  const RunConfig c = load_run_config("fixed-queue", ini, {"wake_latency_ns=5", "queue_grow_step=8"}, policies_dir());
  EXPECT_FALSE(c.allocator.queue_adaptive);  // from the preset
  EXPECT_EQ(c.allocator.queue_initial, 32u);  // from the file
  EXPECT_EQ(c.replay.touch, Touch::First);
  EXPECT_EQ(c.replay.wake_latency_ns, 5u);  // --set wins
  EXPECT_EQ(c.allocator.queue_grow_step, 8u);
  EXPECT_EQ(c.policy, "fixed-queue");
  EXPECT_EQ(load_run_config("", "", {}, policies_dir()).policy, "adaptive");
  EXPECT_EQ(replay_knob_values(ReplayKnobs{}).size(), replay_knobs().size());
  EXPECT_THROW(load_run_config("", "", {"max_samples=1"}, policies_dir()), allocator::ConfigError);
  EXPECT_THROW(load_run_config("", "", {"event_cost_ns=-1"}, policies_dir()), allocator::ConfigError);
}

TEST(AtomicFile, ReplacesWholeOrLeavesTheOldFile) {
  TempDir dir;
  const std::string path = dir.write("f.txt", "old");
  write_file_atomic(path, "new content");
  EXPECT_EQ(traces::testing::read_file(path), "new content");
  EXPECT_THROW(write_file_atomic(path, [](std::ostream& out) {
                 out << "half";
                 throw std::runtime_error("formatter failed");
               }),
               std::runtime_error);
  EXPECT_EQ(traces::testing::read_file(path), "new content");
  EXPECT_THROW(write_file_atomic(dir.file("no/such/dir/f.txt"), "x"), std::runtime_error);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.file(""))) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

}  // namespace
}  // namespace allocsim::sim::testing
