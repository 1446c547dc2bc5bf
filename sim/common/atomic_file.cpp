#include "sim/common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "sim/common/errors.hpp"

namespace allocsim::sim {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, int err) {
  throw OutputError(path + ": cannot write: " + what + (err ? std::string(": ") + std::strerror(err) : ""));
}

// Removes the temporary file unless released (renamed into place).
class TempFile {
 public:
  explicit TempFile(const std::string& target) : path_(target + ".tmp.XXXXXX") {
    fd_ = ::mkstemp(path_.data());
    if (fd_ < 0) fail(target, "cannot create a temporary file beside it", errno);
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write_all(std::string_view data, const std::string& target) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail(target, "write failed", errno);
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  void commit(const std::string& target) {
    // mkstemp creates 0600; a results file should read like any other.
    // (Reading the umask would briefly change it for every thread.)
    ::fchmod(fd_, 0644);
    if (::fsync(fd_) != 0) fail(target, "fsync failed", errno);
    if (::close(std::exchange(fd_, -1)) != 0) fail(target, "close failed", errno);
    if (std::rename(path_.c_str(), target.c_str()) != 0) fail(target, "rename failed", errno);
    path_.clear();
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

void write_file_atomic(const std::string& path, std::string_view content) {
  if (path.empty()) throw OutputError("cannot write a file with an empty name");
  TempFile tmp(path);
  tmp.write_all(content, path);
  tmp.commit(path);
}

void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ostringstream buffer;
  write(buffer);
  if (!buffer) throw std::runtime_error(path + ": cannot write: formatting failed");
  write_file_atomic(path, buffer.view());
}

void check_writable(const std::string& path) {
  if (path.empty()) throw OutputError("cannot write a file with an empty name");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw OutputError(path + ": cannot write: it is a directory");
  TempFile probe(path);  // removed again by its destructor
}

}  // namespace allocsim::sim
