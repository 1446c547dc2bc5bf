// Every sweep spec shipped in configs/sweeps/ loads and expands (so a typo
// there fails here, not in a researcher's overnight run), and so does the
// example in docs/sweep-spec.md.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "allocator/policy.hpp"
#include "sim/common/paths.hpp"
#include "sim/sweep/plan.hpp"
#include "tests/sweep/sweep_test_support.hpp"

namespace allocsim::sim {
namespace {

using namespace sweep_testing;

namespace fs = std::filesystem;

std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == extension) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SweepConfigs, EveryShippedSpecLoadsAndExpands) {
  const auto specs = files_in(fs::path(ALLOCSIM_SOURCE_DIR) / "configs/sweeps", ".json");
  ASSERT_GE(specs.size(), 4u);
  for (const auto& path : specs) {
    SCOPED_TRACE(path.string());
    const SweepSpec spec = load_sweep_spec(path.string());
    const SweepPlan plan = expand_sweep(spec);
    EXPECT_FALSE(spec.description.empty());
    EXPECT_FALSE(plan.runs.empty());
    EXPECT_TRUE(std::any_of(plan.runs.begin(), plan.runs.end(), [&](const PlannedRun& r) { return r.label == spec.baseline; }))
        << "no run of the baseline " << spec.baseline;
  }
}

TEST(SweepConfigs, SeedKnobSweepCoversTheFourKnobsOnEverySample) {
  const SweepPlan plan = expand_sweep(load_sweep_spec(std::string(ALLOCSIM_SOURCE_DIR) + "/configs/sweeps/seed-knobs.json"));
  for (const char* knob : {"queue_initial", "queue_grow_step", "reclaim_after", "reclaim_fraction"}) {
    std::set<std::string> values;
    for (const auto& r : plan.runs)
      for (const auto& [k, v] : r.knobs)
        if (k == knob) values.insert(v);
    EXPECT_EQ(values.size(), 3u) << knob;
  }
  std::set<std::string> traces;
  for (const auto& r : plan.runs) traces.insert(r.trace.name);
  std::size_t samples = 0;
  for (const auto& e : fs::directory_iterator(std::string(ALLOCSIM_SOURCE_DIR) + "/traces/samples"))
    samples += e.is_regular_file() && e.path().filename() != "README.md";
  EXPECT_EQ(traces.size(), samples);
  EXPECT_EQ(plan.runs.size(), (3u * 3 * 3 * 3 + 1) * samples);  // the grid, and the baseline at its defaults
}

TEST(SweepConfigs, EveryPolicyPresetLoads) {
  for (const auto& path : files_in(policies_dir(), ".ini")) {
    SCOPED_TRACE(path.string());
    EXPECT_NO_THROW(allocator::load_policy(path.stem().string(), policies_dir()));
  }
}

TEST(SweepConfigs, TheDocumentedExampleLoads) {
  const std::string doc = sweep_testing::read_file(std::string(ALLOCSIM_SOURCE_DIR) + "/docs/sweep-spec.md");
  const std::regex block("```json\n([\\s\\S]*?)```");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(doc, m, block)) << "docs/sweep-spec.md has no ```json example";
  // The example names traces relative to configs/sweeps/, like the shipped specs.
  const std::string file = std::string(ALLOCSIM_SOURCE_DIR) + "/configs/sweeps/docs-example.json";
  const SweepSpec spec = parse_sweep_spec(m[1].str(), file);
  EXPECT_FALSE(expand_sweep(spec).runs.empty());
}

}  // namespace
}  // namespace allocsim::sim
