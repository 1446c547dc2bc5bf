#pragma once
// A bounded single-producer single-consumer ring (the threaded replay's
// dispatcher -> replay thread queues), and the back-off both sides use
// while they wait: spin briefly, then yield, then sleep, because a replay
// usually runs more threads than the machine has cores.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>

namespace allocsim::sim {

template <typename T>
class SpscQueue {
 public:
  explicit SpscQueue(std::size_t capacity) : capacity_(capacity), slots_(new T[capacity]) {}

  // Producer only. False when full.
  bool push(const T& v) {
    const std::uint64_t t = tail_.load(std::memory_order_relaxed);
    if (t - head_cache_ >= capacity_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (t - head_cache_ >= capacity_) return false;
    }
    slots_[t % capacity_] = v;
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }

  // Consumer only. False when empty.
  bool pop(T& out) {
    const std::uint64_t h = head_.load(std::memory_order_relaxed);
    if (h == tail_cache_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (h == tail_cache_) return false;
    }
    out = slots_[h % capacity_];
    head_.store(h + 1, std::memory_order_release);
    return true;
  }

  // The producer will push nothing more.
  void close() { closed_.store(true, std::memory_order_release); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }

 private:
  const std::size_t capacity_;
  std::unique_ptr<T[]> slots_;
  alignas(64) std::atomic<std::uint64_t> head_{0};
  std::uint64_t tail_cache_ = 0;  // consumer's view of tail_
  alignas(64) std::atomic<std::uint64_t> tail_{0};
  std::uint64_t head_cache_ = 0;  // producer's view of head_
  std::atomic<bool> closed_{false};
};

// Waits a little longer each call: spins, then yields, then sleeps 50 us.
class Backoff {
 public:
  void pause() {
    if (++rounds_ < 64) return;
    if (rounds_ < 256) std::this_thread::yield();
    else std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  void reset() { rounds_ = 0; }

 private:
  unsigned rounds_ = 0;
};

}  // namespace allocsim::sim
