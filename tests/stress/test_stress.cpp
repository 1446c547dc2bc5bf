// The stress programs (tests/stress/workloads.txt) at their test size,
// under liballocsim.so with every policy preset: each must finish within
// its deadline with glibc's exit status (0) and glibc's stdout, and with
// nothing on stderr. The programs check memory themselves (every object's
// pattern before free), so a corrupted object fails the run with a message
// naming it.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/preload/preload_support.hpp"
#include "tests/stress/workloads.hpp"

namespace allocsim::stress_testing {
namespace {

using sim::testing::RunResult;
using sim::testing::RunSpec;

// A test-size run takes 0.1-0.5 s under glibc; a run that takes this long is hung.
constexpr std::chrono::seconds kDeadline{30};

struct Case {
  Workload workload;
  std::string policy;
};

// What ctest and gtest print for a case (the default is a hex dump).
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.workload.name << " under " << c.policy;
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  const auto policies = policy_names(std::string(ALLOCSIM_SOURCE_DIR) + "/configs/policies");
  for (const auto& w : read_workloads(ALLOCSIM_STRESS_WORKLOADS, "test"))
    for (const auto& p : policies) cases.push_back({w, p});
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string s = info.param.workload.name + "_" + info.param.policy;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

std::string command_line(const RunSpec& spec) {
  std::string s;
  for (const auto& [k, v] : spec.env) s += k + "=" + v.value_or("") + " ";
  for (const auto& a : spec.argv) s += a + " ";
  return s;
}

class StressPrograms : public ::testing::TestWithParam<Case> {};

TEST_P(StressPrograms, MatchGlibcUnderPolicy) {
  ALLOCSIM_REQUIRE_PRELOAD();
  const Case& c = GetParam();
  RunSpec spec;
  spec.argv = c.workload.argv;
  spec.argv[0] = sim::testing::helper(spec.argv[0]);
  spec.timeout = kDeadline;
  const RunResult plain = sim::testing::run_program(spec);
  ASSERT_FALSE(plain.timed_out) << "hangs without the preload: " << command_line(spec);
  ASSERT_EQ(plain.exit_code, 0) << "fails without the preload: " << plain.describe();
  ASSERT_EQ(plain.err, "");

  spec.env["ALLOCSIM_POLICY"] = c.policy;
  spec = sim::testing::preloaded(spec);
  const auto start = std::chrono::steady_clock::now();
  const RunResult pre = sim::testing::run_program(spec);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("preloaded_seconds", std::to_string(seconds));
  ASSERT_FALSE(pre.timed_out) << c.workload.name << " hangs under " << c.policy << " (killed after "
                              << kDeadline.count() << " s): " << command_line(spec);
  EXPECT_EQ(pre.signal, 0) << command_line(spec) << "\n" << pre.describe();
  EXPECT_EQ(pre.exit_code, 0) << command_line(spec) << "\n" << pre.describe();
  EXPECT_EQ(pre.out, plain.out) << command_line(spec);
  EXPECT_EQ(pre.err, "") << command_line(spec);
}

INSTANTIATE_TEST_SUITE_P(All, StressPrograms, ::testing::ValuesIn(all_cases()), case_name);

TEST(StressWorkloads, ListNamesEveryProgramAndBothSizes) {
  const auto test = read_workloads(ALLOCSIM_STRESS_WORKLOADS, "test");
  const auto bench = read_workloads(ALLOCSIM_STRESS_WORKLOADS, "bench");
  ASSERT_EQ(test.size(), bench.size());
  ASSERT_GE(test.size(), 8u);
  for (std::size_t i = 0; i < test.size(); ++i) {
    EXPECT_TRUE(sim::testing::executable(sim::testing::helper(test[i].argv[0]))) << test[i].argv[0];
    EXPECT_EQ(test[i].argv[1], "test");
    EXPECT_EQ(bench[i].argv[1], "bench");
    for (const auto& arg : test[i].argv) EXPECT_EQ(arg.find("bench:"), std::string::npos) << test[i].name;
  }
}

}  // namespace
}  // namespace allocsim::stress_testing
