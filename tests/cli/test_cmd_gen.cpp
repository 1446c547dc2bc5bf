// `allocsim gen` end to end: the binary writes reproducible traces that the
// readers accept, and rejects bad arguments with exit code 2.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/common/launch.hpp"
#include "traces/event_reader.hpp"

namespace {

namespace fs = std::filesystem;

using allocsim::testing::read_file;

fs::path scratch() {
  static const allocsim::testing::TempDir dir;
  return dir.path();
}

// Runs allocsim with `args` (its output kept in scratch()/log.txt); returns the exit code.
int allocsim(const std::string& args) {
  const auto r = allocsim::testing::run_allocsim(args);
  std::ofstream(scratch() / "log.txt") << r.out << r.err;
  return r.exit_code;
}

std::string read_file(const fs::path& p) { return allocsim::testing::read_file(p.string()); }

std::uint64_t count_events(const fs::path& p) {
  auto reader = allocsim::traces::open_trace(p.string());
  std::vector<allocsim::traces::Event> buffer(1024);
  std::uint64_t n = 0;
  while (const std::size_t k = reader->read(buffer)) n += k;
  return n;
}

TEST(CmdGen, SameSeedWritesTheSameBytes) {
  const fs::path a = scratch() / "a.native", b = scratch() / "b.native", c = scratch() / "c.native";
  const std::string common = " --threads 3 --events 4000 --calloc-percent 10";
  ASSERT_EQ(allocsim("gen larson -o " + a.string() + common + " --seed 9"), 0) << read_file(scratch() / "log.txt");
  ASSERT_EQ(allocsim("gen larson -o " + b.string() + common + " --seed 9"), 0);
  ASSERT_EQ(allocsim("gen larson -o " + c.string() + common + " --seed 10"), 0);
  EXPECT_EQ(read_file(a), read_file(b));
  EXPECT_NE(read_file(a), read_file(c));
  EXPECT_EQ(count_events(a), 4000u);
}

TEST(CmdGen, EveryShapeWritesAReadableCsvTrace) {
  for (const char* shape : {"steady", "phased", "prodcons", "bursty", "larson"}) {
    const fs::path out = scratch() / (std::string(shape) + ".csv");
    ASSERT_EQ(allocsim(std::string("gen ") + shape + " -o " + out.string() + " --events 3000"), 0)
        << shape << ": " << read_file(scratch() / "log.txt");
    EXPECT_EQ(count_events(out), 3000u) << shape;
  }
}

TEST(CmdGen, SizesFromATraceFile) {
  const fs::path source = scratch() / "source.native", out = scratch() / "from.native";
  ASSERT_EQ(allocsim("gen steady -o " + source.string() + " --events 2000 --min-size 48 --max-size 48"), 0);
  ASSERT_EQ(allocsim("gen bursty -o " + out.string() + " --events 2000 --sizes-from " + source.string()), 0)
      << read_file(scratch() / "log.txt");
  auto reader = allocsim::traces::open_trace(out.string());
  std::vector<allocsim::traces::Event> buffer(4096);
  while (const std::size_t k = reader->read(buffer)) {
    for (std::size_t i = 0; i < k; ++i) {
      if (buffer[i].allocates()) {
        ASSERT_EQ(buffer[i].size, 48u);
      }
    }
  }
}

TEST(CmdGen, BadArgumentsExitWithTwo) {
  const std::string out = (scratch() / "bad.native").string();
  EXPECT_EQ(allocsim("gen"), 2);
  EXPECT_EQ(allocsim("gen steady"), 2);                      // no -o
  EXPECT_EQ(allocsim("gen wobbly -o " + out), 2);            // unknown shape
  EXPECT_NE(read_file(scratch() / "log.txt").find("steady, phased"), std::string::npos);
  EXPECT_EQ(allocsim("gen prodcons --threads 1 -o " + out), 2);
  EXPECT_EQ(allocsim("gen phased --phase-split 10:10 -o " + out), 2);
  EXPECT_EQ(allocsim("gen steady --events many -o " + out), 2);
  EXPECT_EQ(allocsim("gen steady --sizes-from /nonexistent/trace -o " + out), 2);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(allocsim("gen --help"), 0);
}

}  // namespace
