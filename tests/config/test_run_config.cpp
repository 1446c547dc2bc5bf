// A run's configuration: policy, then --config file, then --set.
#include <gtest/gtest.h>
#include "sim/common/paths.hpp"
#include "sim/config/knobs.hpp"
#include "sim/config/run_config.hpp"
#include "tests/common/files.hpp"

namespace allocsim::sim::testing {
namespace {

using allocsim::testing::TempDir;

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

// One syntax for both tables: integers take K, M and G suffixes in either.
TEST(ReplayConfig, OneKnobTableOneValueSyntax) {
  const RunConfig c = load_run_config("", "", {"queue_events=4K", "queue_initial=4K", "drain_ns=1M"}, policies_dir());
  EXPECT_EQ(c.replay.queue_events, 4096u);
  EXPECT_EQ(c.allocator.queue_initial, 4096u);
  EXPECT_EQ(c.replay.drain_ns, 1u << 20);
  try {
    load_run_config("", "", {"drain_ns=lots"}, policies_dir());
    FAIL() << "no error";
  } catch (const allocator::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("bad value 'lots' for knob 'drain_ns'"), std::string::npos) << e.what();
  }
  ASSERT_NE(find_knob("drain_ns"), nullptr);
  EXPECT_EQ(find_knob("drain_ns")->kind, KnobKind::Replay);
  EXPECT_EQ(find_knob("queue_initial")->kind, KnobKind::Allocator);
  EXPECT_EQ(find_knob("nonsense"), nullptr);
  EXPECT_EQ(run_knobs().size(), allocator::knobs().size() + replay_knobs().size());
}

}  // namespace
}  // namespace allocsim::sim::testing
