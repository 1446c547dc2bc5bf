#include "sim/sweep/progress.hpp"

#include <fmt/core.h>

#include <string>

namespace allocsim::sim {

namespace {

std::string duration(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  return fmt::format("{}m{:02}s", s / 60, s % 60);
}

}  // namespace

SweepProgress::SweepProgress(std::FILE* out, std::size_t total, std::size_t done_before)
    : out_(out), total_(total), before_(done_before) {}

void SweepProgress::update(std::size_t done_now, std::size_t failed_now, std::size_t running) {
  if (!out_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::size_t finished = done_now + failed_now;
  const std::size_t left = total_ - before_ - finished;
  // Remaining time from this invocation's own pace; runs resumed from disk cost nothing.
  const std::string eta = finished ? "~" + duration(elapsed / static_cast<double>(finished) * static_cast<double>(left)) : "?";
  fmt::print(out_, "\r\033[K[sweep] {}/{} runs", before_ + finished, total_);
  if (failed_now) fmt::print(out_, "  ({} failed)", failed_now);
  fmt::print(out_, "  {} running  elapsed {}  remaining {}", running, duration(elapsed), eta);
  std::fflush(out_);
  drawn_ = true;
}

void SweepProgress::finish() {
  if (out_ && drawn_) fmt::print(out_, "\n");
  drawn_ = false;
}

}  // namespace allocsim::sim
