// Virtual replay is reproducible: the same trace, config and seed give the
// same metrics outside `host`, byte for byte; the seed matters once the
// cost model has jitter.
#include "tests/replay/replay_test_support.hpp"
#include "tests/traces/trace_support.hpp"
#include "traces/generators.hpp"

namespace allocsim::sim::testing {
namespace {

std::string generated_trace(const traces::testing::TempDir& dir) {
  traces::GeneratorOptions g;
  g.shape = traces::Shape::Bursty;
  g.threads = 3;
  g.events = 30000;
  g.seed = 5;
  g.burst_size = 400;
  auto writer = traces::create_writer(dir.path("bursty.trace"));
  traces::generate_to(g, traces::SizeDistribution::power_law(), *writer);
  return dir.path("bursty.trace");
}

TEST(ReplayDeterminism, TwoVirtualRunsGiveIdenticalJsonOutsideHost) {
  traces::testing::TempDir dir;
  for (const std::string& path : {sample_path("ht_mt_prodcons.raw.zst"), generated_trace(dir)}) {
    const ReplayRequest r = request_for(path, "adaptive", ReplayMode::Virtual);
    const std::string a = without_host(replay(r)).dump();
    const std::string b = without_host(replay(r)).dump();
    EXPECT_EQ(a, b) << path;
    EXPECT_GT(a.size(), 1000u);
  }
}

TEST(ReplayDeterminism, JitterFollowsTheSeed) {
  const std::string path = sample_path("ht_sqlite3.raw.zst");
  const Metrics a = replay(request_for(path, "adaptive", ReplayMode::Virtual, {"jitter_percent=30", "seed=1"}));
  const Metrics b = replay(request_for(path, "adaptive", ReplayMode::Virtual, {"jitter_percent=30", "seed=1"}));
  const Metrics c = replay(request_for(path, "adaptive", ReplayMode::Virtual, {"jitter_percent=30", "seed=2"}));
  EXPECT_EQ(without_host(a).dump(), without_host(b).dump());
  EXPECT_NE(a.summary.collector_work->busy_ns, c.summary.collector_work->busy_ns);
  EXPECT_EQ(c.run.seed, 2u);
}

TEST(ReplayDeterminism, HostSectionHoldsTheHostFigures) {
  const Metrics m = replay(request_for(sample_path("ht_edgecases.raw.zst"), "adaptive", ReplayMode::Virtual));
  const auto j = metrics_json(m);
  EXPECT_TRUE(j["host"].contains("wall_seconds"));
  EXPECT_GT(m.host.peak_rss_bytes, 0u);
  EXPECT_EQ(m.host.timeline_rss_bytes.size(), m.timeline.time_ns.size());
  EXPECT_EQ(m.summary.rss_source, "simulated");
}

}  // namespace
}  // namespace allocsim::sim::testing
