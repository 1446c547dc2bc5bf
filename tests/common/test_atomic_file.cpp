// Files replaced whole or not at all.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

// -o /dev/null or a FIFO must not have its node replaced by a regular file
// (a FIFO stands in for a device here), and -o through a symlink updates
// the file the link names.
TEST(AtomicFile, WritesThroughWhatIsNotARegularFile) {
  TempDir dir;
  const std::string fifo = dir.path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);  // keeps the writer's open from blocking
  ASSERT_GE(reader, 0);
  check_writable(fifo);
  write_file_atomic(fifo, "through");
  char buffer[16] = {};
  EXPECT_EQ(::read(reader, buffer, sizeof buffer), 7);
  EXPECT_STREQ(buffer, "through");
  ::close(reader);
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));

  const std::string real = dir.write("real.json", "old");
  std::filesystem::create_symlink(real, dir.path("link.json"));
  write_file_atomic(dir.path("link.json"), "new");
  EXPECT_TRUE(std::filesystem::is_symlink(dir.path("link.json")));
  EXPECT_EQ(read_file(real), "new");
}

}  // namespace
}  // namespace allocsim::sim::testing
