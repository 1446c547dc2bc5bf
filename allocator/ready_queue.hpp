#pragma once
// A class's global ready queue: a bounded ring with one producer (the
// collector) and many consumers (threads refilling their caches, and the
// collector itself when it reclaims).
//
// Invariants: head <= tail, tail - head <= capacity. The producer writes
// slot t & mask only while t - head < capacity, so no slot in
// [head, tail) is ever overwritten; a consumer reads [h, h + k) and then
// claims it with one CAS on head, retrying if another consumer won.
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "allocator/chunk.hpp"
#include "allocator/internal_memory.hpp"

namespace allocsim::allocator {

class ReadyQueue {
 public:
  ReadyQueue() = default;
  ReadyQueue(const ReadyQueue&) = delete;
  ReadyQueue& operator=(const ReadyQueue&) = delete;
  // The ring is a power of two (slot = index & mask, no division on the
  // hot paths); at most `capacity` chunks are held.
  void init(std::size_t capacity) {
    capacity_ = capacity;
    slots_ = InternalArray<std::atomic<ChunkHeader*>>(std::bit_ceil(capacity));
    mask_ = slots_.size() - 1;
  }

  std::size_t capacity() const { return capacity_; }
  std::size_t size() const {
    const auto t = tail_.load(std::memory_order_acquire);
    const auto h = head_.load(std::memory_order_acquire);
    return t > h ? static_cast<std::size_t>(t - h) : 0;
  }

  // Chunks ever taken (by threads or a reclaim): moves only when someone takes.
  std::uint64_t taken() const { return head_.load(std::memory_order_relaxed); }

  // Producer only. False when the ring is full.
  bool push(ChunkHeader* chunk) {
    const auto t = tail_.load(std::memory_order_relaxed);
    if (t - head_.load(std::memory_order_acquire) >= capacity()) return false;
    slots_[t & mask_].store(chunk, std::memory_order_relaxed);
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }

  // Any thread. Takes up to `max` chunks, oldest first; returns how many.
  std::size_t take(ChunkHeader** out, std::size_t max) {
    auto h = head_.load(std::memory_order_acquire);
    for (;;) {
      const auto t = tail_.load(std::memory_order_acquire);
      if (t <= h) return 0;
      const std::size_t k = static_cast<std::size_t>(t - h) < max ? static_cast<std::size_t>(t - h) : max;
      for (std::size_t i = 0; i < k; ++i) out[i] = slots_[(h + i) & mask_].load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + k, std::memory_order_acq_rel, std::memory_order_acquire)) return k;
    }
  }

  // For check() on a quiescent heap: visits every queued chunk.
  template <typename F>
  void for_each(F&& f) const {
    for (auto i = head_.load(); i < tail_.load(); ++i) f(slots_[i & mask_].load(std::memory_order_relaxed));
  }

 private:
  InternalArray<std::atomic<ChunkHeader*>> slots_;
  std::size_t capacity_ = 0;
  std::uint64_t mask_ = 0;
  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint64_t> tail_{0};
};

}  // namespace allocsim::allocator
