#pragma once
// The progress line a sweep redraws on stderr when stderr is a terminal:
//   [sweep] 12/40 runs  (1 failed)  elapsed 1m02s  remaining ~2m10s
#include <chrono>
#include <cstddef>
#include <cstdio>

namespace allocsim::sim {

class SweepProgress {
 public:
  // `total` runs, of which `done_before` were complete before this invocation.
  SweepProgress(std::FILE* out, std::size_t total, std::size_t done_before);
  void update(std::size_t done_now, std::size_t failed_now, std::size_t running);
  void finish();

 private:
  std::FILE* out_;
  std::size_t total_, before_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
};

}  // namespace allocsim::sim
