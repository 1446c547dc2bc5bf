// The core as a program's malloc never hangs, whatever libc is doing when
// it calls malloc or free: each program below reaches the allocator from
// inside one of glibc's own locked paths (tests/helpers/libc_paths/
// says which). Each runs plain and preloaded under a deadline, under every
// policy; output and exit status must match glibc's.
#include <gtest/gtest.h>

#include "allocator/policy.hpp"
#include "tests/preload/preload_support.hpp"

namespace allocsim::sim::testing {
namespace {

struct LibcPath {
  const char* name;
  std::vector<std::string> args;
};

std::string preset_name(const ::testing::TestParamInfo<std::tuple<LibcPath, std::string>>& info) {
  std::string s = std::string(std::get<0>(info.param).name) + "_" + std::get<1>(info.param);
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

class PreloadLibcPaths : public ::testing::TestWithParam<std::tuple<LibcPath, std::string>> {};

TEST_P(PreloadLibcPaths, FinishesWithGlibcsOutput) {
  ALLOCSIM_REQUIRE_PRELOAD();
  const auto& [path, policy] = GetParam();
  RunSpec spec;
  spec.argv = {helper(path.name)};
  spec.argv.insert(spec.argv.end(), path.args.begin(), path.args.end());
  spec.timeout = std::chrono::seconds(60);
  const RunResult plain = run_program(spec);
  ASSERT_EQ(plain.exit_code, 0) << "fails without the preload: " << plain.describe();
  spec.env["ALLOCSIM_POLICY"] = policy;
  const RunResult pre = run_program(preloaded(spec));
  ASSERT_FALSE(pre.timed_out) << path.name << " hangs under " << policy;
  EXPECT_EQ(pre.signal, 0) << pre.describe();
  EXPECT_EQ(pre.exit_code, 0) << pre.describe();
  EXPECT_EQ(pre.out, plain.out);
  EXPECT_EQ(pre.err.find("allocsim:"), std::string::npos) << pre.err;
}

const LibcPath kPaths[] = {
    {"libc_thread_reclaim", {}}, {"libc_tls_teardown", {}},   {"libc_fork_handlers", {}},
    {"libc_dlopen_threads", {ALLOCSIM_PROBE_LIBRARY}},        {"libc_stdio_locks", {}},
    {"libc_early_threads", {}},
};

INSTANTIATE_TEST_SUITE_P(All, PreloadLibcPaths,
                         ::testing::Combine(::testing::ValuesIn(kPaths),
                                            ::testing::ValuesIn(allocator::policy_names(
                                                std::string(ALLOCSIM_SOURCE_DIR) + "/configs/policies"))),
                         preset_name);

}  // namespace
}  // namespace allocsim::sim::testing
