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

void write_fully(int fd, std::string_view data, const std::string& target) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(target, "write failed", errno);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// The file the temporary is renamed over: `path`, or the file a symlink
// points to (so the link stays a link). "" when the target exists and is
// not a regular file — a device such as /dev/null, a FIFO, /dev/stdout on
// a pipe: renaming over it would replace the device node or the link
// itself, so it is written in place instead.
std::string rename_target(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return path;  // not there yet: created whole
  if (!S_ISREG(st.st_mode)) return "";
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::canonical(path, ec);
  return ec ? path : real.string();
}

void write_in_place(const std::string& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(path, "cannot open", errno);
  try {
    write_fully(fd, content, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) fail(path, "close failed", errno);
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

  void write_all(std::string_view data, const std::string& target) { write_fully(fd_, data, target); }

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
  const std::string target = rename_target(path);
  if (target.empty()) return write_in_place(path, content);
  TempFile tmp(target);
  tmp.write_all(content, target);
  tmp.commit(target);
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
  const std::string target = rename_target(path);
  if (target.empty()) {
    if (::access(path.c_str(), W_OK) != 0) fail(path, "cannot open", errno);
    return;
  }
  TempFile probe(target);  // removed again by its destructor
}

}  // namespace allocsim::sim
