// Real programs give the same output with and without liballocsim.so
// preloaded, and the core (not glibc) served their allocations: each run
// writes per-process stats (ALLOCSIM_STATS with %p) whose counters show it.
#include <gtest/gtest.h>

#include "tests/preload/preload_support.hpp"

namespace allocsim::sim::testing {
namespace {

// Runs spec plain and preloaded; expects the same exit code and stdout, a
// quiet stderr from the allocator, and stats from at least `processes`
// processes, all with allocations served by the core.
void expect_same_output(RunSpec spec, std::size_t processes = 1) {
  const RunResult plain = run_program(spec);
  ASSERT_EQ(plain.exit_code, 0) << "the program fails without the preload: " << plain.describe();
  TempDir stats;
  spec.env["ALLOCSIM_STATS"] = stats.path("stats-%p.json");
  const RunResult pre = run_program(preloaded(spec));
  EXPECT_EQ(pre.exit_code, plain.exit_code) << pre.describe();
  EXPECT_EQ(pre.signal, 0) << pre.describe();
  EXPECT_EQ(pre.out, plain.out);
  EXPECT_EQ(pre.err.find("allocsim:"), std::string::npos) << pre.err;
  const auto files = stats.files();
  ASSERT_GE(files.size(), processes) << "the preloaded processes wrote no stats";
  for (const auto& f : files) {
    const auto doc = read_json(f);
    EXPECT_GT(doc["summary"]["allocations"].get<std::uint64_t>(), 0u) << f;
  }
}

TEST(PreloadPrograms, Python) {
  ALLOCSIM_REQUIRE_PRELOAD();
  if (!executable("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  expect_same_output({{"/usr/bin/python3", sample_source("py_workload.py")}});
}

TEST(PreloadPrograms, PythonWithEveryObjectThroughMalloc) {
  ALLOCSIM_REQUIRE_PRELOAD();
  if (!executable("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  RunSpec spec{{"/usr/bin/python3", sample_source("py_workload.py")}};
  spec.env["PYTHONMALLOC"] = "malloc";
  expect_same_output(spec);
}

TEST(PreloadPrograms, Sqlite) {
  ALLOCSIM_REQUIRE_PRELOAD();
  if (!executable("/usr/bin/sqlite3")) GTEST_SKIP() << "no /usr/bin/sqlite3";
  RunSpec spec{{"/usr/bin/sqlite3", ":memory:"}};
  spec.stdin_path = fixture("preload_workload.sql");
  expect_same_output(spec);
}

TEST(PreloadPrograms, MultiThreadedProducerConsumer) {
  ALLOCSIM_REQUIRE_PRELOAD();
  expect_same_output({{helper("mt_prodcons"), "4000"}});
}

TEST(PreloadPrograms, CxxCompile) {
  ALLOCSIM_REQUIRE_PRELOAD();
  TempDir out;
  const std::string plain_obj = out.path("plain.o"), pre_obj = out.path("pre.o");
  const std::string source = fixture("compile_input.cc");
  const RunResult plain = run_program({{"g++", "-std=c++17", "-O1", "-c", source, "-o", plain_obj}});
  ASSERT_EQ(plain.exit_code, 0) << plain.describe();
  TempDir stats;
  RunSpec spec{{"g++", "-std=c++17", "-O1", "-c", source, "-o", pre_obj}};
  spec.env["ALLOCSIM_STATS"] = stats.path("stats-%p.json");
  const RunResult pre = run_program(preloaded(spec));
  ASSERT_EQ(pre.exit_code, 0) << pre.describe();
  EXPECT_EQ(read_file(pre_obj), read_file(plain_obj)) << "the object files differ";
  EXPECT_GE(stats.files().size(), 2u) << "the driver and cc1plus each write stats";
}

TEST(PreloadPrograms, ForkAndExec) {
  ALLOCSIM_REQUIRE_PRELOAD();
  // 4 children (2 exec this program again), each with a grandchild, while
  // two threads churn the heap in the parent.
  expect_same_output({{helper("preload_fork_exec"), "4"}}, 1);
}

TEST(PreloadPrograms, ManyShortLivedThreads) {
  ALLOCSIM_REQUIRE_PRELOAD();
  TempDir stats;
  RunSpec spec{{helper("preload_many_threads"), "250", "8"}};
  expect_same_output(spec);
  // The counters of exited threads survive their hand-back: all 2000 threads' allocations are counted.
  spec.env["ALLOCSIM_STATS"] = stats.path("s.json");
  ASSERT_EQ(run_program(preloaded(spec)).exit_code, 0);
  const auto doc = read_json(stats.path("s.json"));
  EXPECT_GE(doc["counters"]["threads"]["mallocs"].get<std::uint64_t>(), 2000u * 200u);
}

TEST(PreloadPrograms, EveryEntryPointBehavesLikeGlibc) {
  ALLOCSIM_REQUIRE_PRELOAD();
  const RunResult r = run_program(preloaded({{helper("preload_api_check")}}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.describe();
  EXPECT_NE(r.out.find("0 failures"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::string("malloc from ") + kPreloadLibrary), std::string::npos)
      << "malloc is not the preloaded one:\n" << r.out;
}

}  // namespace
}  // namespace allocsim::sim::testing
