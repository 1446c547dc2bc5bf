// Sweep specs: what a good spec reads as, and that every kind of bad entry
// is refused before any run starts with the file and the JSON path named.
#include <gtest/gtest.h>

#include "sim/sweep/spec.hpp"
#include "tests/sweep/sweep_test_support.hpp"

namespace allocsim::sim {
namespace {

using namespace sweep_testing;

class SweepSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_.write("traces/a.trace", "a");
    scratch_.write("traces/b.trace", "b");
    scratch_.write("traces/notes.txt", "not a trace the glob picks");
  }
  SweepSpec load(const std::string& text) { return load_sweep_spec(scratch_.write("spec.json", text)); }
  // The message of the SpecError `text` raises ("" when it loads).
  std::string error_of(const std::string& text) {
    try {
      load(text);
    } catch (const SpecError& e) {
      return e.what();
    }
    return "";
  }
  TempDir scratch_;
};

// A spec with `group` as its only group.
std::string with_group(const std::string& group, const std::string& extra = "") {
  return R"({"trace_root": "traces", "traces": ["*.trace"], )" + extra + R"("groups": [)" + group + "]}";
}

TEST_F(SweepSpecTest, ReadsTracesGroupsAxesAndDefaults) {
  const SweepSpec spec = load(R"({
    "description": "two groups",
    "trace_root": "traces",
    "traces": ["*.trace"],
    "seed": 7,
    "repetitions": 2,
    "groups": [
      {"name": "knobs", "backend": "core", "policies": ["adaptive", "fixed-queue"], "mode": ["virtual", "threaded"],
       "set": {"cache_batch": 4},
       "grid": {"queue_initial": [64, "1K"], "queue_grow_step": [1, 4, 16]},
       "zip": [{"reclaim_after": [4, 16], "reclaim_fraction": [0.5, 0.25]}]},
      {"backend": "system", "mode": "threaded", "repetitions": 3,
       "allocators": {"glibc": "", "nosuch": "libnosuch-allocator.so.9"}, "set": {"touch": "first"}}
    ]})");
  ASSERT_EQ(spec.traces.size(), 2u);
  EXPECT_EQ(spec.traces[0].name, "a.trace");
  EXPECT_EQ(spec.traces[1].name, "b.trace");
  EXPECT_TRUE(std::filesystem::path(spec.traces[0].path).is_absolute());
  EXPECT_EQ(spec.seed, 7u);
  EXPECT_EQ(spec.baseline, "adaptive");  // the first group's first policy
  ASSERT_EQ(spec.groups.size(), 2u);
  const SpecGroup& g = spec.groups[0];
  EXPECT_EQ(g.name, "knobs");
  EXPECT_EQ(g.repetitions, 2u);
  EXPECT_EQ(g.modes, (std::vector<ReplayMode>{ReplayMode::Virtual, ReplayMode::Threaded}));
  EXPECT_EQ(g.set, (std::vector<KnobSetting>{{"cache_batch", "4"}}));
  ASSERT_EQ(g.axes.size(), 3u);
  EXPECT_EQ(g.axes[0].knobs, std::vector<std::string>{"queue_initial"});
  EXPECT_EQ(g.axes[0].points, (std::vector<std::vector<std::string>>{{"64"}, {"1K"}}));
  EXPECT_EQ(g.axes[2].knobs, (std::vector<std::string>{"reclaim_after", "reclaim_fraction"}));
  EXPECT_EQ(g.axes[2].points, (std::vector<std::vector<std::string>>{{"4", "0.5"}, {"16", "0.25"}}));
  const SpecGroup& s = spec.groups[1];
  EXPECT_EQ(s.backend, BackendKind::System);
  EXPECT_EQ(s.repetitions, 3u);
  ASSERT_EQ(s.allocators.size(), 2u);
  EXPECT_TRUE(s.allocators[0].installed());   // glibc: the process's own malloc
  EXPECT_FALSE(s.allocators[1].installed());  // skipped with a note, not an error
}

TEST_F(SweepSpecTest, UnknownKeysNameFileAndPath) {
  const std::string top = error_of(R"({"traces": ["traces/a.trace"], "groups": [], "colour": 1})");
  EXPECT_NE(top.find("spec.json: $.colour: unknown key 'colour'"), std::string::npos) << top;
  const std::string inner = error_of(with_group(R"({"policies": ["adaptive"], "gird": {}})"));
  EXPECT_NE(inner.find("spec.json: $.groups[0].gird: unknown key 'gird'"), std::string::npos) << inner;
}

TEST_F(SweepSpecTest, UnknownKnobsAndBadValuesNameTheEntry) {
  std::string e = error_of(with_group(R"({"policies": ["adaptive"], "grid": {"queue_grow": [1, 2]}})"));
  EXPECT_NE(e.find("$.groups[0].grid.queue_grow: unknown knob 'queue_grow'"), std::string::npos) << e;
  e = error_of(with_group(R"({"policies": ["adaptive"], "set": {"nonsense_knob": 1}})"));
  EXPECT_NE(e.find("$.groups[0].set.nonsense_knob: unknown knob"), std::string::npos) << e;
  e = error_of(with_group(R"({"policies": ["adaptive"], "grid": {"queue_initial": [64, "lots"]}})"));
  EXPECT_NE(e.find("$.groups[0].grid.queue_initial[1]: bad value 'lots'"), std::string::npos) << e;
  e = error_of(with_group(R"({"policies": ["adaptive"], "zip": [{"reclaim_after": [4, [5]]}]})"));
  EXPECT_NE(e.find("$.groups[0].zip[0].reclaim_after[1]: expected a number, string or boolean"), std::string::npos) << e;
  e = error_of(with_group(R"({"backend": "system", "allocators": {"glibc": ""}, "set": {"queue_initial": 8}})"));
  EXPECT_NE(e.find("$.groups[0].set.queue_initial: allocator knob 'queue_initial' does not apply"), std::string::npos) << e;
  e = error_of(with_group(R"({"policies": ["adaptive"], "grid": {"seed": [1, 2]}})"));
  EXPECT_NE(e.find("$.groups[0].grid.seed: 'seed' is not swept"), std::string::npos) << e;
}

TEST_F(SweepSpecTest, EmptyAxesAndUnevenZipsAreRefused) {
  std::string e = error_of(with_group(R"({"policies": ["adaptive"], "grid": {"queue_initial": []}})"));
  EXPECT_NE(e.find("$.groups[0].grid.queue_initial: empty axis"), std::string::npos) << e;
  e = error_of(with_group(R"({"policies": []})"));
  EXPECT_NE(e.find("$.groups[0].policies: empty policy list"), std::string::npos) << e;
  e = error_of(with_group(R"({"policies": ["adaptive"], "zip": [{"reclaim_after": [4, 16], "reclaim_fraction": [0.5]}]})"));
  EXPECT_NE(e.find("$.groups[0].zip[0].reclaim_fraction: zipped knobs need equally long lists"), std::string::npos) << e;
  e = error_of(with_group(R"({"policies": ["adaptive"], "set": {"queue_initial": 8}, "grid": {"queue_initial": [4]}})"));
  EXPECT_NE(e.find("$.groups[0].grid.queue_initial: knob 'queue_initial' is already set"), std::string::npos) << e;
}

TEST_F(SweepSpecTest, MissingTracesPoliciesAndBaselinesAreRefused) {
  std::string e = error_of(R"({"trace_root": "traces", "traces": ["a.trace", "gone.trace"], "groups": [{"policies": ["adaptive"]}]})");
  EXPECT_NE(e.find("spec.json: $.traces[1]: trace '"), std::string::npos) << e;
  EXPECT_NE(e.find("gone.trace' does not exist"), std::string::npos) << e;
  e = error_of(R"({"trace_root": "traces", "traces": ["*.zst"], "groups": [{"policies": ["adaptive"]}]})");
  EXPECT_NE(e.find("$.traces[0]: no trace file matches"), std::string::npos) << e;
  e = error_of(R"({"trace_root": "nowhere", "traces": ["*"], "groups": [{"policies": ["adaptive"]}]})");
  EXPECT_NE(e.find("$.trace_root: trace_root"), std::string::npos) << e;
  e = error_of(with_group(R"({"policies": ["adaptive", "no-such-policy"]})"));
  EXPECT_NE(e.find("$.groups[0].policies[1]: unknown policy 'no-such-policy'"), std::string::npos) << e;
  e = error_of(with_group(R"({"policies": ["adaptive"]})", R"("baseline": "tcmalloc", )"));
  EXPECT_NE(e.find("$.baseline: baseline 'tcmalloc' is not a policy or allocator of this sweep (adaptive)"), std::string::npos) << e;
  e = error_of(with_group(R"({"backend": "gpu", "policies": ["adaptive"]})"));
  EXPECT_NE(e.find("$.groups[0].backend: unknown backend 'gpu'"), std::string::npos) << e;
  e = error_of(with_group(R"({"policies": ["adaptive"], "mode": ["virtual", "warp"]})"));
  EXPECT_NE(e.find("$.groups[0].mode[1]: unknown mode 'warp'"), std::string::npos) << e;
}

TEST_F(SweepSpecTest, SyntaxErrorsGiveLineAndColumn) {
  const std::string e = error_of("{\n  \"traces\": [\"a\"],\n  \"groups\": [}\n}\n");
  EXPECT_NE(e.find("spec.json:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("syntax error"), std::string::npos) << e;
}

TEST_F(SweepSpecTest, PolicyFilesResolveAgainstTheSpec) {
  scratch_.write("mine.ini", "queue_initial = 32\n");
  const SweepSpec spec = load(with_group(R"({"policies": ["mine.ini", "adaptive"]})", R"("baseline": "mine", )"));
  EXPECT_EQ(spec.groups[0].policies[0], scratch_.path("mine.ini"));
  EXPECT_EQ(spec.baseline, "mine");
}

}  // namespace
}  // namespace allocsim::sim
