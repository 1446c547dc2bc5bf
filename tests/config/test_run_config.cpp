// A run's configuration: policy, then --config file, then --set.
#include <gtest/gtest.h>
#include "sim/common/paths.hpp"
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

}  // namespace
}  // namespace allocsim::sim::testing
