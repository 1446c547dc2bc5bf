#pragma once
// The collector's sleep/wake protocol, in one place. The design notes:
// "when there is no merging / reclaiming to do, set a flag and wait on a
// mutex; the next person to call free will wake me up when they see the
// flag set".
//
// No wake-up is lost. The collector raises the flag (seq_cst store), then
// looks for garbage (seq_cst loads of every thread's ready bin); a mutator
// publishes its bin (seq_cst store), then reads the flag (seq_cst load).
// All four are in one total order, so either the collector sees the bin
// (and lowers the flag again), or the mutator sees the flag (and wakes it).
// A mutator that sees the flag takes the mutex to clear it and notify, so
// the notification cannot fall between the collector's check of its
// predicate and its wait.
//
// Stepped mode uses the same flag and no thread: wake() only clears it, and
// the owner steps the collector when it learns of the wake-up.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace allocsim::allocator {

class CollectorGate {
 public:
  bool sleeping() const { return sleeping_.load(std::memory_order_seq_cst); }

  // Collector: raises the flag, then asks `has_input`; lowers the flag
  // again if there is input. Returns whether it is now asleep.
  template <typename F>
  bool try_sleep(F&& has_input) {
    sleeping_.store(true, std::memory_order_seq_cst);
    if (!has_input()) return true;
    sleeping_.store(false, std::memory_order_seq_cst);
    return false;
  }
  // Collector: it is running (a step began, or its timed sleep ran out).
  void awake() { sleeping_.store(false, std::memory_order_seq_cst); }

  // Mutator (after publishing garbage or finding a queue empty): wakes a
  // sleeping collector. True when this call is the one that woke it.
  bool wake(bool threaded) {
    if (threaded) {
      std::lock_guard lock(mutex_);
      if (!sleeping_.exchange(false, std::memory_order_seq_cst)) return false;
      cv_.notify_one();
    } else if (!sleeping_.exchange(false, std::memory_order_seq_cst)) {
      return false;
    }
    wakeups_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  // Threaded collector, asleep: returns when woken, when `stop` is set, or
  // after `timeout` (then it counts as awake). timeout < 0: no timeout.
  void wait(std::chrono::nanoseconds timeout, const std::atomic<bool>& stop) {
    std::unique_lock lock(mutex_);
    auto done = [&] { return !sleeping_.load() || stop.load(); };
    if (timeout.count() < 0) cv_.wait(lock, done);
    else if (!cv_.wait_for(lock, timeout, done)) awake();
  }
  // Sets `stop` under the mutex (a waiter cannot miss it) and wakes the waiter.
  void stop(std::atomic<bool>& stop) {
    {
      std::lock_guard lock(mutex_);
      stop.store(true);
    }
    cv_.notify_all();
  }

  std::uint64_t wakeups() const { return wakeups_.load(std::memory_order_relaxed); }

  // Fork (Heap::prepare_fork and after_fork_*): the mutex is held across
  // fork; in the child it is re-created (the thread that locked it may not
  // exist there) and nobody sleeps.
  void lock() { mutex_.lock(); }
  void unlock() { mutex_.unlock(); }
  void reset_in_child() {
    new (&mutex_) std::mutex;
    new (&cv_) std::condition_variable;
    sleeping_.store(false, std::memory_order_seq_cst);
  }

 private:
  std::atomic<bool> sleeping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<std::uint64_t> wakeups_{0};  // counted by the waking thread
};

}  // namespace allocsim::allocator
