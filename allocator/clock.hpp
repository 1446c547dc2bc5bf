#pragma once
// The run's clock. The collector judges each ready queue over refill
// intervals of adapt_interval_ns on it: the steady clock for a real
// program and the threaded replay, a clock the owner sets for the
// deterministic replay (its virtual time) and for tests.
#include <atomic>
#include <cstdint>

namespace allocsim::allocator {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::uint64_t now_ns() const = 0;
};

// std::chrono::steady_clock in nanoseconds.
const Clock& steady_clock();

class ManualClock final : public Clock {
 public:
  std::uint64_t now_ns() const override { return now_.load(std::memory_order_relaxed); }
  void set(std::uint64_t t) { now_.store(t, std::memory_order_relaxed); }
  void advance(std::uint64_t d) { set(now_ns() + d); }

 private:
  std::atomic<std::uint64_t> now_{0};
};

}  // namespace allocsim::allocator
