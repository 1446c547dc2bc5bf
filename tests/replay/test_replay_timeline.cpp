// The timeline keeps every peak: each sample carries its interval's largest
// live bytes, footprint and RSS, so the largest over the timeline is the
// summary's peak, exactly, on every sample trace (virtual mode, with the
// automatic period and with a cap small enough to force merging). Measured
// RSS is the process's above its RSS just before the first event; a trace's
// own RSS samples reach the timeline.
#include <algorithm>

#include "sim/metrics/fields.hpp"
#include "sim/metrics/timeline.hpp"
#include "tests/replay/replay_test_support.hpp"

namespace allocsim::sim::testing {
namespace {

std::uint64_t largest(const std::vector<std::uint64_t>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }

std::string safe(std::string n) {
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

class TimelinePeaks : public ::testing::TestWithParam<std::string> {};

TEST_P(TimelinePeaks, TheLargestSampleIsTheSummaryPeak) {
  const std::string path = sample_path(GetParam());
  // The automatic period, then a cap of 8 samples (merged many times over).
  for (const std::vector<std::string>& sets : {std::vector<std::string>{}, std::vector<std::string>{"max_samples=8"}}) {
    SCOPED_TRACE(sets.empty() ? "automatic period" : sets.front());
    const Metrics m = replay(request_for(path, "adaptive", ReplayMode::Virtual, sets));
    const Timeline& t = m.timeline;
    const Summary& s = m.summary;
    ASSERT_FALSE(t.time_ns.empty());
    ASSERT_EQ(s.rss_source, "simulated");
    EXPECT_EQ(largest(t.live_bytes_max), s.peak_live_bytes);
    EXPECT_EQ(largest(t.footprint_bytes_max), s.peak_footprint_bytes);
    EXPECT_EQ(largest(t.sim_rss_bytes_max), s.peak_rss_bytes);
    EXPECT_TRUE(t.measured_rss_bytes.empty());
    for (std::size_t i = 0; i < t.time_ns.size(); ++i) {
      EXPECT_GE(t.live_bytes_max[i], t.live_bytes[i]) << i;
      EXPECT_GE(t.footprint_bytes_max[i], t.footprint_bytes[i]) << i;
      EXPECT_GE(t.sim_rss_bytes_max[i], t.sim_rss_bytes[i]) << i;
    }
    EXPECT_EQ(t.live_bytes.back(), s.final_live_bytes);
    EXPECT_EQ(t.events.back(), s.events);
    if (sets.empty()) {
      EXPECT_LE(t.time_ns.size(), 2 * kAutoSamples);
      // About kAutoSamples whatever the span, fewer only when the run is shorter than that many microseconds.
      if (s.virtual_time_ns.value_or(0) >= 2 * kAutoSamples * 1000) {
        EXPECT_GE(t.time_ns.size(), kAutoSamples);
      }
    } else {
      EXPECT_LE(t.time_ns.size(), 8u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Samples, TimelinePeaks, ::testing::ValuesIn(sample_names()),
                         [](const auto& info) { return safe(info.param); });

// The system allocator in virtual mode: live bytes and the measured RSS peak
// are also the timeline's largest samples.
TEST(TimelinePeaks, SystemBackendKeepsLiveAndMeasuredPeaks) {
  const std::string path = sample_path("ht_sqlite3.raw.zst");
  ReplayRequest r = request_for(path, "", ReplayMode::Virtual, {"max_samples=16"});
  r.backend = BackendKind::System;
  const Metrics m = replay(r);
  EXPECT_EQ(m.summary.rss_source, "measured");
  EXPECT_EQ(largest(m.timeline.live_bytes_max), m.summary.peak_live_bytes);
  EXPECT_EQ(largest(m.timeline.footprint_bytes_max), m.summary.peak_footprint_bytes);
  EXPECT_EQ(largest(m.timeline.measured_rss_bytes_max), m.summary.peak_rss_bytes);
  EXPECT_TRUE(m.timeline.sim_rss_bytes.empty());
}

// Threaded mode: the dispatcher hands each live-bytes change to the sampler.
TEST(TimelinePeaks, ThreadedRunKeepsTheLivePeak) {
  const std::string path = sample_path("ht_mt_prodcons.raw.zst");
  const Metrics m = replay(request_for(path, "adaptive", ReplayMode::Threaded));
  EXPECT_EQ(largest(m.timeline.live_bytes_max), m.summary.peak_live_bytes);
  EXPECT_EQ(largest(m.timeline.footprint_bytes_max), m.summary.peak_footprint_bytes);
  EXPECT_EQ(largest(m.timeline.measured_rss_bytes_max), m.summary.peak_rss_bytes);
}

// Measured RSS is counted from the process's RSS just before the first
// event: the replayer, its libraries and the open trace are not the heap's.
TEST(BaselineRss, MeasuredRssIsAboveTheBaseline) {
  const std::string path = sample_path("ht_mt_prodcons.raw.zst");
  ReplayRequest system = request_for(path, "", ReplayMode::Virtual);
  system.backend = BackendKind::System;
  for (const ReplayRequest& r : {request_for(path, "adaptive", ReplayMode::Threaded), system}) {
    const Metrics m = replay(r);
    SCOPED_TRACE(m.run.mode + " " + m.run.backend);
    ASSERT_EQ(m.summary.rss_source, "measured");
    EXPECT_GT(m.host.baseline_rss_bytes, 1u << 20);  // at least the binary and its libraries
    EXPECT_GE(m.host.peak_rss_bytes, m.host.baseline_rss_bytes);
    EXPECT_EQ(m.summary.peak_rss_bytes, m.host.peak_rss_bytes - m.host.baseline_rss_bytes);
    EXPECT_LE(m.summary.final_rss_bytes, m.summary.peak_rss_bytes);
    const nlohmann::ordered_json j = metrics_json(m);
    EXPECT_EQ(j["host"]["baseline_rss_bytes"].get<std::uint64_t>(), m.host.baseline_rss_bytes);
    EXPECT_EQ(metrics_from_json(j).host.baseline_rss_bytes, m.host.baseline_rss_bytes);
  }
  // Simulated RSS has no baseline to take off, but the host figure is still recorded.
  const Metrics sim = replay(request_for(path, "adaptive", ReplayMode::Virtual));
  EXPECT_EQ(sim.summary.rss_source, "simulated");
  EXPECT_GT(sim.host.baseline_rss_bytes, 0u);
}

// heaptrack's `R` records: the program's own RSS, on the replay's timeline.
TEST(RecordedRss, TheTracesOwnRssReachesTheTimeline) {
  const std::string path = sample_path("ht_python_json.raw.zst");
  auto reader = traces::open_trace(path);
  const Metrics m = replay(*reader, request_for(path, "adaptive", ReplayMode::Virtual));
  const auto& recorded = m.timeline.recorded_rss_bytes;
  ASSERT_EQ(recorded.size(), m.timeline.time_ns.size());
  ASSERT_FALSE(reader->info().rss_samples.empty());
  std::uint64_t top = 0;
  for (const auto& v : recorded) top = std::max(top, v.value_or(0));
  EXPECT_EQ(top, reader->info().peak_rss_bytes);  // each trace sample lands in some timeline sample
  EXPECT_TRUE(recorded.back().has_value());
  // A trace without RSS records has no such series.
  EXPECT_TRUE(replay(request_for(sample_path("mtrace_sort.txt.gz"), "adaptive", ReplayMode::Virtual))
                  .timeline.recorded_rss_bytes.empty());
}

}  // namespace
}  // namespace allocsim::sim::testing
