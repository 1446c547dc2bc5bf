// Expanding sweep specs: grids multiply, zips advance together, repetitions
// get their own seeds, ids are stable hashes of the run identity, and
// shards partition the runs exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sim/sweep/plan.hpp"
#include "tests/sweep/sweep_test_support.hpp"

namespace allocsim::sim {
namespace {

using namespace sweep_testing;

class SweepExpandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_.write("traces/a.trace", "trace a");
    scratch_.write("traces/b.trace", "trace b");
  }
  SweepPlan expand(const std::string& groups, const std::string& extra = "", const std::string& name = "spec.json") {
    const std::string text = R"({"trace_root": "traces", "traces": ["*.trace"], )" + extra + R"("groups": [)" + groups + "]}";
    return expand_sweep(load_sweep_spec(scratch_.write(name, text)));
  }
  TempDir scratch_;
};

std::string knob(const PlannedRun& r, const std::string& name) {
  for (const auto& [k, v] : r.knobs)
    if (k == name) return v;
  return "";
}

TEST_F(SweepExpandTest, GridsMultiplyZipsAdvanceTogether) {
  const SweepPlan plan = expand(R"({"policies": ["adaptive"],
      "grid": {"queue_initial": [64, 256, 1024], "queue_grow_step": [1, 4]},
      "zip": [{"reclaim_after": [4, 16, 64, 256], "reclaim_fraction": [0.5, 0.25, 0.125, 0.0625]}]})");
  // 3 x 2 grid points x 4 zip steps x 2 traces.
  ASSERT_EQ(plan.runs.size(), 3u * 2 * 4 * 2);
  std::set<std::string> combos;
  for (const auto& r : plan.runs) {
    combos.insert(knob(r, "queue_initial") + "/" + knob(r, "queue_grow_step") + "/" + knob(r, "reclaim_after"));
    // Zipped values stay paired.
    const std::string after = knob(r, "reclaim_after"), fraction = knob(r, "reclaim_fraction");
    EXPECT_TRUE((after == "4" && fraction == "0.5") || (after == "16" && fraction == "0.25") ||
                (after == "64" && fraction == "0.125") || (after == "256" && fraction == "0.0625"))
        << after << " " << fraction;
  }
  EXPECT_EQ(combos.size(), 24u);
  EXPECT_EQ(plan.swept, (std::vector<std::string>{"queue_initial", "queue_grow_step", "reclaim_after", "reclaim_fraction"}));
}

TEST_F(SweepExpandTest, RepetitionsModesAndPoliciesMultiply) {
  const SweepPlan plan = expand(R"({"policies": ["adaptive", "no-oldest"], "mode": ["virtual", "threaded"], "repetitions": 3})",
                                R"("seed": 10, )");
  ASSERT_EQ(plan.runs.size(), 2u * 2 * 3 * 2);
  std::set<std::uint64_t> seeds;
  for (const auto& r : plan.runs) {
    EXPECT_EQ(r.seed, 10 + r.repetition);
    seeds.insert(r.seed);
  }
  EXPECT_EQ(seeds, (std::set<std::uint64_t>{10, 11, 12}));
  std::set<std::string> ids;
  for (const auto& r : plan.runs) ids.insert(r.id);
  EXPECT_EQ(ids.size(), plan.runs.size());
}

TEST_F(SweepExpandTest, IdsAreStableAndFollowTheIdentity) {
  const std::string group = R"({"policies": ["adaptive"], "grid": {"queue_initial": [64, 256]}})";
  const SweepPlan first = expand(group);
  const SweepPlan again = expand(group, "", "other-name.json");
  ASSERT_EQ(first.runs.size(), again.runs.size());
  for (std::size_t i = 0; i < first.runs.size(); ++i) EXPECT_EQ(first.runs[i].id, again.runs[i].id);
  // The same traces under another directory: same names and contents, same ids.
  scratch_.write("elsewhere/traces/a.trace", "trace a");
  scratch_.write("elsewhere/traces/b.trace", "trace b");
  const SweepPlan moved = expand_sweep(load_sweep_spec(scratch_.write(
      "elsewhere/spec.json", R"({"trace_root": "traces", "traces": ["*.trace"], "groups": [)" + group + "]}")));
  for (std::size_t i = 0; i < first.runs.size(); ++i) EXPECT_EQ(first.runs[i].id, moved.runs[i].id);
  // Changed trace contents change the ids of that trace's runs only.
  scratch_.write("traces/b.trace", "trace b, recorded again");
  const SweepPlan edited = expand(group);
  for (std::size_t i = 0; i < first.runs.size(); ++i)
    EXPECT_EQ(first.runs[i].id == edited.runs[i].id, first.runs[i].trace.name == "a.trace") << first.runs[i].trace.name;
}

TEST_F(SweepExpandTest, IdentityHoldsTheEffectiveConfigNotTheSpelling) {
  // "1K" and 1024 are one value; a knob set to its default is no difference.
  const SweepPlan a = expand(R"({"policies": ["adaptive"], "set": {"queue_initial": "1K"}})");
  const SweepPlan b = expand(R"({"policies": ["adaptive"], "set": {"queue_initial": 1024, "cache_batch": 0}})");
  EXPECT_EQ(a.runs[0].identity["config"], b.runs[0].identity["config"]);
  EXPECT_EQ(a.runs[0].identity["config"]["queue_initial"], "1024");
  // fixed-queue differs from adaptive by its preset, and the identity says so.
  const SweepPlan f = expand(R"({"policies": ["fixed-queue"]})");
  EXPECT_EQ(f.runs[0].identity["config"]["queue_adaptive"], "false");
}

TEST_F(SweepExpandTest, KnownIdentityHashesToAKnownId) {
  // Guards the hash and the canonical form: changing either orphans every result on disk.
  const nlohmann::json identity = {{"backend", "core"}, {"policy", "adaptive"}, {"mode", "virtual"}, {"seed", 1}};
  EXPECT_EQ(identity.dump(), R"({"backend":"core","mode":"virtual","policy":"adaptive","seed":1})");
  EXPECT_EQ(run_id(identity), run_id(nlohmann::json::parse(R"({"seed":1,"policy":"adaptive","mode":"virtual","backend":"core"})")));
  EXPECT_EQ(run_id(identity).size(), 16u);
  EXPECT_EQ(run_id(identity), "300d0580939712ba");
}

TEST_F(SweepExpandTest, BadCombinationsFailBeforeRunning) {
  try {
    expand(R"({"policies": ["adaptive"], "grid": {"queue_initial": [2, 64]}})");
    FAIL() << "queue_initial=2 is below queue_min=4";
  } catch (const SpecError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("spec.json: $.groups[0]: policy 'adaptive' with queue_initial=2"), std::string::npos) << m;
  }
}

TEST_F(SweepExpandTest, DuplicateRunsAreRunOnce) {
  const SweepPlan plan = expand(R"({"policies": ["adaptive"]}, {"policies": ["adaptive", "no-oldest"]})");
  EXPECT_EQ(plan.runs.size(), 2u * 2);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_NE(plan.notes[0].find("$.groups[1]: 2 run(s) identical"), std::string::npos) << plan.notes[0];
}

TEST_F(SweepExpandTest, ShardsPartitionTheRunsExactly) {
  const SweepPlan plan = expand(R"({"policies": ["adaptive", "fixed-queue", "no-oldest"], "grid": {"queue_initial": [16, 64, 256]}})");
  ASSERT_EQ(plan.runs.size(), 18u);
  for (unsigned n : {1u, 2u, 3u, 5u, 18u, 25u}) {
    std::multiset<std::string> seen;
    for (unsigned k = 1; k <= n; ++k) {
      const auto shard = shard_runs(plan.runs, k, n);
      EXPECT_LE(shard.size(), (plan.runs.size() + n - 1) / n) << k << "/" << n;
      EXPECT_GE(shard.size(), plan.runs.size() / n) << k << "/" << n;
      for (const auto& r : shard) seen.insert(r.id);
    }
    std::multiset<std::string> all;
    for (const auto& r : plan.runs) all.insert(r.id);
    EXPECT_EQ(seen, all) << "n=" << n;  // every run exactly once
  }
  EXPECT_THROW(shard_runs(plan.runs, 0, 3), std::invalid_argument);
  EXPECT_THROW(shard_runs(plan.runs, 4, 3), std::invalid_argument);
}

TEST_F(SweepExpandTest, ReplayArgumentsCarryPolicyKnobsAndSeed) {
  const SweepPlan plan = expand(R"({"policies": ["no-oldest"], "mode": "threaded", "set": {"touch": "first", "queue_initial": 32}})");
  const auto args = replay_arguments(plan.runs[0], "/tmp/out.json");
  const std::vector<std::string> expected{"replay", plan.runs[0].trace.path, "--backend", "core", "--mode", "threaded",
                                          "--set", "seed=1", "--policy", "no-oldest", "--set", "touch=first",
                                          "--set", "queue_initial=32", "-o", "/tmp/out.json"};
  EXPECT_EQ(args, expected);
  EXPECT_EQ(plan.runs[0].identity["replay"]["touch"], "first");
}

}  // namespace
}  // namespace allocsim::sim
