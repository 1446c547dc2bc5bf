#include "sim/replay/progress.hpp"

#include <algorithm>
#include <cstdio>

namespace allocsim::sim {
namespace {

constexpr std::uint64_t kCheckEvery = 1 << 16;

}  // namespace

Progress::Progress(bool enabled, const traces::EventReader& reader)
    : enabled_(enabled), reader_(reader), start_(std::chrono::steady_clock::now()) {}

double Progress::fraction() const {
  const traces::ReadPosition p = reader_.position();
  return p.size == 0 ? -1 : std::min(1.0, static_cast<double>(p.bytes) / static_cast<double>(p.size));
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
