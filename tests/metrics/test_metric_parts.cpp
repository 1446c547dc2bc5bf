// The pieces that measure a replay: latency percentiles, the
// Johnstone-Wilson fragmentation measures, timeline decimation.
#include <gtest/gtest.h>
#include "sim/metrics/fragmentation.hpp"
#include "sim/metrics/latency.hpp"
#include "sim/metrics/timeline.hpp"

namespace allocsim::sim::testing {
namespace {


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

}  // namespace
}  // namespace allocsim::sim::testing
