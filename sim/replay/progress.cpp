#include "sim/replay/progress.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace allocsim::sim {
namespace {

namespace fs = std::filesystem;
constexpr std::uint64_t kCheckEvery = 1 << 16;

// The descriptor this process has open on `path` (the trace reader's), or -1.
int find_descriptor(const std::string& path) {
  std::error_code ec;
  const fs::path target = fs::weakly_canonical(path, ec);
  if (ec) return -1;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd", ec)) {
    std::error_code link_ec;
    if (fs::read_symlink(entry.path(), link_ec) != target || link_ec) continue;
    try {
      return std::stoi(entry.path().filename().string());
    } catch (...) {
      return -1;
    }
  }
  return -1;
}

}  // namespace

Progress::Progress(bool enabled, std::string trace)
    : enabled_(enabled), trace_(std::move(trace)), start_(std::chrono::steady_clock::now()) {}

double Progress::fraction() {
  if (fd_ == -2) {
    fd_ = find_descriptor(trace_);
    struct stat st {};
    if (fd_ >= 0 && ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) size_ = st.st_size;
    else fd_ = -1;
  }
  if (fd_ < 0) return -1;
  const off_t pos = ::lseek(fd_, 0, SEEK_CUR);  // reads the offset, moves nothing
  return pos < 0 ? -1 : std::min(1.0, static_cast<double>(pos) / static_cast<double>(size_));
}

void Progress::tick(std::uint64_t events) {
  next_check_ = events + kCheckEvery;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (seconds < 1.0) return;
  const double rate = static_cast<double>(events) / seconds / 1e6;
  const double f = fraction();
  if (f >= 0) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(f * kWidth);
    std::fprintf(stderr, "\rreplay [%.*s%*s] %3.0f%%  %.1fM events  %.1f M/s ", filled,
                 "##############################", kWidth - filled, "", f * 100, static_cast<double>(events) / 1e6,
                 rate);
  } else {
    std::fprintf(stderr, "\rreplay: %.1fM events  %.1f M/s  %.0f s ", static_cast<double>(events) / 1e6, rate, seconds);
  }
  std::fflush(stderr);
  shown_ = true;
}

void Progress::finish() {
  if (!shown_) return;
  std::fprintf(stderr, "\r%*s\r", 72, "");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace allocsim::sim
