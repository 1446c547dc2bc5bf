// The pieces that measure a replay: latency percentiles, the
// Johnstone-Wilson fragmentation measures, the timeline's merging of
// samples and its automatic period, interval maxima, time averages.
#include <gtest/gtest.h>
#include "sim/metrics/fragmentation.hpp"
#include "sim/metrics/latency.hpp"
#include "sim/metrics/time_average.hpp"
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

TEST(Timeline, MergesNeighboursInsteadOfGrowingPastTheCap) {
  TimelineRecorder t({10, 4}, {32});
  std::uint64_t spike_at = 0;
  for (std::uint64_t i = 0; i < 9; ++i) {
    ASSERT_EQ(t.next_due() % 10, 0u);
    TimelineSample s;
    s.time_ns = t.next_due();
    s.events = i;
    s.live = {s.time_ns + (i == 5 ? 1000 : 0), s.time_ns};  // one interval with a spike inside it
    if (i == 5) spike_at = s.time_ns;
    s.queue_targets = {s.time_ns};
    t.add(s);
  }
  const Timeline tl = t.timeline();
  EXPECT_LE(tl.time_ns.size(), 4u);
  EXPECT_EQ(tl.period_ns, 80u);  // 10 -> 20 -> 40 -> 80 as samples reached the cap
  std::uint64_t largest = 0;
  for (std::size_t i = 0; i < tl.time_ns.size(); ++i) {
    EXPECT_EQ(tl.time_ns[i] % tl.period_ns, 0u) << i;
    EXPECT_EQ(tl.live_bytes[i], tl.time_ns[i]);  // the value at the sample is the kept sample's
    EXPECT_EQ(tl.queue_targets[i][0], tl.time_ns[i]);
    EXPECT_GE(tl.live_bytes_max[i], tl.live_bytes[i]);
    largest = std::max(largest, tl.live_bytes_max[i]);
  }
  EXPECT_EQ(largest, spike_at + 1000);  // merged away as a sample, kept as a maximum
  EXPECT_EQ(t.host_rss().size(), tl.time_ns.size());
}

TEST(Timeline, ALaterLookAtTheSameInstantReplacesTheSample) {
  TimelineRecorder t({10, 8}, {});
  TimelineSample a, b;
  a.time_ns = b.time_ns = 0;
  a.live = {50, 10};
  b.live = {20, 20};
  t.add(a);
  t.add(b);
  const Timeline tl = t.timeline();
  ASSERT_EQ(tl.time_ns.size(), 1u);
  EXPECT_EQ(tl.live_bytes[0], 20u);
  EXPECT_EQ(tl.live_bytes_max[0], 50u);
}

TEST(Timeline, AutomaticPeriodAimsAtAFewThousandSamples) {
  EXPECT_EQ(timeline_plan(5000, 100, 1000).period_ns, 5000u);  // set: as given
  EXPECT_EQ(timeline_plan(5000, 100, 1000).max_samples, 100u);
  const TimelinePlan automatic = timeline_plan(0, 4096, 1000);
  EXPECT_EQ(automatic.period_ns, 1000u);
  EXPECT_EQ(automatic.max_samples, 2 * kAutoSamples);
  EXPECT_EQ(timeline_plan(0, 256, 1000).max_samples, 256u);  // max_samples still caps
  // A run of any length ends with kAutoSamples to 2 x kAutoSamples samples.
  for (std::uint64_t span : {std::uint64_t{3'000'000}, std::uint64_t{77'000'000'000}}) {
    TimelineRecorder t(automatic, {});
    while (t.next_due() <= span) {
      TimelineSample s;
      s.time_ns = t.next_due();
      t.add(s);
    }
    const std::size_t n = t.timeline().time_ns.size();
    EXPECT_GE(n, kAutoSamples) << span;
    EXPECT_LE(n, 2 * kAutoSamples) << span;
  }
}

TEST(IntervalMax, ARunningPeakCountsOnlyInTheIntervalItRoseIn) {
  IntervalMax m;
  m.see_peak(100);
  const Gauge first = m.take(40);
  EXPECT_EQ(first.max, 100u);
  EXPECT_EQ(first.end, 40u);
  m.see_peak(100);  // no new peak: the interval's largest is what was seen in it
  const Gauge second = m.take(30);
  EXPECT_EQ(second.max, 40u);  // its start, the last interval's end
  m.see(70);
  EXPECT_EQ(m.take(10).max, 70u);
}

TEST(TimeAverage, JumpsAtKnotsAndLinesBetween) {
  TimeAverage a;
  EXPECT_FALSE(a.mean().has_value());
  a.knot(0, 0, 100);    // a step fills to 100
  a.knot(10, 50, 150);  // threads took 50 by t=10, then a step refills to 150
  a.knot(30, 150);      // untouched until 30
  // (100 + 50) / 2 * 10 + 150 * 20 = 3750 over 30 ns
  EXPECT_DOUBLE_EQ(*a.mean(), 125.0);
  TimeAverage b;
  b.knot(5, 7);
  EXPECT_DOUBLE_EQ(*b.mean(), 7.0);  // no time passed: the value itself
}

}  // namespace
}  // namespace allocsim::sim::testing
