// Files replaced whole or not at all.
#include <gtest/gtest.h>

#include <filesystem>
#include "sim/common/atomic_file.hpp"
#include "sim/common/errors.hpp"
#include "tests/common/files.hpp"

namespace allocsim::sim::testing {
namespace {

using allocsim::testing::read_file;
using allocsim::testing::TempDir;

TEST(AtomicFile, ReplacesWholeOrLeavesTheOldFile) {
  TempDir dir;
  const std::string path = dir.write("f.txt", "old");
  write_file_atomic(path, "new content");
  EXPECT_EQ(read_file(path), "new content");
  EXPECT_THROW(write_file_atomic(path, [](std::ostream& out) {
                 out << "half";
                 throw std::runtime_error("formatter failed");
               }),
               std::runtime_error);
  EXPECT_EQ(read_file(path), "new content");
  EXPECT_THROW(write_file_atomic(dir.path("no/such/dir/f.txt"), "x"), std::runtime_error);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path(""))) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(AtomicFile, CheckWritableLeavesNothingAndRefusesWhatCannotBeWritten) {
  TempDir dir;
  check_writable(dir.path("new.json"));
  EXPECT_THROW(check_writable(dir.path("no/such/dir/f.txt")), OutputError);
  EXPECT_THROW(check_writable(dir.path("")), OutputError);  // the directory itself
  EXPECT_THROW(check_writable("/proc/allocsim-check.json"), OutputError);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path("")));
}

}  // namespace
}  // namespace allocsim::sim::testing
