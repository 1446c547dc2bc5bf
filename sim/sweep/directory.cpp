#include "sim/sweep/directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "sim/common/errors.hpp"

namespace allocsim::sim {

SweepDirLock::SweepDirLock(const SweepDir& dir, const LockRetry& retry) {
  std::error_code ec;
  for (const auto& d : {dir.runs(), dir.tmp()}) {
    std::filesystem::create_directories(d, ec);
    if (ec) throw OutputError(d + ": cannot create directory: " + ec.message());
  }
  const std::string lock = dir.root + "/.lock";
  fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw OutputError(lock + ": " + std::strerror(errno));
  const auto deadline = std::chrono::steady_clock::now() + retry.budget;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd_);
      throw std::runtime_error(dir.root + ": another sweep is writing this directory");
    }
    retry.pause();
  }
}

SweepDirLock::~SweepDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace allocsim::sim
