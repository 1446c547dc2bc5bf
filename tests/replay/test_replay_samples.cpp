// Every sample trace replays in both modes under every policy preset: the
// heap's check() passes after the replay and the final live bytes equal the
// trace's own (traces/trace_stats.hpp). Threaded runs of the larger samples
// replay a prefix (max_events) and compare with that prefix's statistics,
// to keep the suite quick, also under the sanitizers.
#include "tests/replay/replay_test_support.hpp"

namespace allocsim::sim::testing {
namespace {

struct Case {
  std::string sample, policy;
  ReplayMode mode;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string n = info.param.sample + "_" + info.param.policy;
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

std::vector<Case> cases(ReplayMode mode) {
  std::vector<Case> out;
  for (const auto& s : sample_names())
    for (const auto& p : policies()) out.push_back({s, p, mode});
  return out;
}

class VirtualSamples : public ::testing::TestWithParam<Case> {};
class ThreadedSamples : public ::testing::TestWithParam<Case> {};

TEST_P(VirtualSamples, CheckPassesAndFinalLiveBytesMatchTheTrace) {
  const Case& c = GetParam();
  const std::string path = sample_path(c.sample);
  const traces::TraceStats own = own_stats(path);
  const Metrics m = replay(request_for(path, c.policy, ReplayMode::Virtual));
  ASSERT_TRUE(m.summary.check_ok.has_value());
  EXPECT_TRUE(*m.summary.check_ok) << m.summary.check_report.value_or("");
  EXPECT_EQ(m.summary.events, own.events);
  EXPECT_EQ(m.summary.final_live_bytes, own.final_live_bytes);
  EXPECT_EQ(m.summary.final_live_objects, own.final_live_blocks);
  EXPECT_EQ(m.summary.peak_live_bytes, own.peak_live_bytes);
  EXPECT_GE(m.summary.peak_footprint_bytes, m.summary.peak_live_bytes);
  EXPECT_EQ(m.run.policy, c.policy);
  EXPECT_TRUE(m.run.trace_hash.starts_with("xxh3-128:"));
}

TEST_P(ThreadedSamples, CheckPassesAndFinalLiveBytesMatchTheTrace) {
  const Case& c = GetParam();
  const std::string path = sample_path(c.sample);
  constexpr std::uint64_t kPrefix = 20000;
  const traces::TraceStats own = own_stats(path, kPrefix);
  PrefixReader reader(traces::open_trace(path), kPrefix);
  const Metrics m = replay(reader, request_for(path, c.policy, ReplayMode::Threaded));
  ASSERT_TRUE(m.summary.check_ok.has_value());
  EXPECT_TRUE(*m.summary.check_ok) << m.summary.check_report.value_or("");
  EXPECT_EQ(m.summary.events, own.events);
  EXPECT_EQ(m.summary.final_live_bytes, own.final_live_bytes);
  EXPECT_EQ(m.summary.peak_live_bytes, own.peak_live_bytes);
  ASSERT_TRUE(m.latency && m.throughput);
  EXPECT_EQ(m.throughput->operations, m.latency->samples);
  EXPECT_GT(m.latency->samples, 0u);
  EXPECT_LE(m.latency->p50_ns, m.latency->p99_ns);
  EXPECT_LE(m.latency->p99_ns, m.latency->max_ns);
}

INSTANTIATE_TEST_SUITE_P(All, VirtualSamples, ::testing::ValuesIn(cases(ReplayMode::Virtual)), case_name);
INSTANTIATE_TEST_SUITE_P(All, ThreadedSamples, ::testing::ValuesIn(cases(ReplayMode::Threaded)), case_name);

TEST(ReplaySamples, EveryPolicyPresetIsCovered) {
  EXPECT_GE(policies().size(), 5u);  // adaptive, fixed-queue, free-to-cache, no-coalesce, no-oldest
  EXPECT_EQ(sample_names().size(), 14u);
}

TEST(ReplaySamples, SystemBackendReplaysInBothModes) {
  for (const ReplayMode mode : {ReplayMode::Virtual, ReplayMode::Threaded}) {
    const std::string path = sample_path("ht_mt_prodcons.raw.zst");
    ReplayRequest r = request_for(path, "", mode);
    r.backend = BackendKind::System;
    const Metrics m = replay(r);
    EXPECT_EQ(m.summary.final_live_bytes, own_stats(path).final_live_bytes);
    EXPECT_EQ(m.run.backend, "system");
    EXPECT_FALSE(m.run.policy.has_value());
    EXPECT_FALSE(m.summary.check_ok.has_value());
    EXPECT_FALSE(m.summary.fallback_allocations.has_value());
    EXPECT_FALSE(m.run.allocator.name.empty());
    EXPECT_FALSE(m.summary.footprint_source.empty());
  }
}

}  // namespace
}  // namespace allocsim::sim::testing
