#pragma once
// Shared helpers for the allocator tests: configs that isolate one
// mechanism, an OS layer that fails on demand, and residency probes that
// ask the kernel directly (never the core's own counters).
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "allocator/collector.hpp"
#include "allocator/heap.hpp"
#include "allocator/thread_heap.hpp"

namespace allocsim::allocator::testing {

// No refills from fresh blocks, no hand-offs, fixed queues of `target`,
// nothing prefilled: chunks stay where the test puts them.
inline Config quiet_config(std::uint64_t target = 0) {
  Config c;
  c.prefill = Prefill::None;
  c.queue_initial = target;
  c.queue_min = 0;
  c.queue_adaptive = false;
  c.refill_maps_blocks = false;
  c.hand_off = false;
  c.wake_on_starve = false;
  c.validate_frees = true;
  return c;
}

struct RecordingObserver : HeapObserver {
  std::vector<HeapEvent> events;
  void on_event(const HeapEvent& e) override { events.push_back(e); }
  std::size_t count(HeapEventKind k) const {
    return std::count_if(events.begin(), events.end(), [&](const HeapEvent& e) { return e.kind == k; });
  }
};

// Lets a test wait for the threaded collector without a fixed sleep: the
// condition is checked again every time the collector falls asleep (it
// sleeps only after a pass found every bin empty). Only CollectorSleep
// takes the lock, and that event comes from inside a collector step, which
// prepare_fork waits out: a forked child never inherits the lock held.
class CollectorSleeps final : public HeapObserver {
 public:
  void on_event(const HeapEvent& e) override {
    if (e.kind != HeapEventKind::CollectorSleep) return;
    { std::lock_guard lock(mutex_); }  // a waiter is either before its check or waiting
    slept_.notify_all();
  }
  // Whether `done` held before a minute passed.
  template <typename F>
  bool wait_until(F&& done) {
    std::unique_lock lock(mutex_);
    return slept_.wait_for(lock, std::chrono::seconds(60), done);
  }

 private:
  std::mutex mutex_;
  std::condition_variable slept_;
};

inline void expect_ok(const Heap& heap) {
  const CheckReport r = heap.check();
  EXPECT_TRUE(r.ok) << r.summary();
}

class FailingOs final : public OsLayer {
 public:
  // Maps succeed until `allowed` maps have happened; then every map fails.
  explicit FailingOs(std::uint64_t allowed = UINT64_MAX) : allowed_(allowed) {}
  void* map(std::size_t bytes, std::size_t alignment) override {
    if (maps_ >= allowed_) return nullptr;
    ++maps_;
    return system_os().map(bytes, alignment);
  }
  void unmap(void* a, std::size_t b) override { system_os().unmap(a, b); }
  void purge(void* a, std::size_t b) override { system_os().purge(a, b); }
  std::size_t resident_pages(const void* a, std::size_t b) const override { return system_os().resident_pages(a, b); }
  std::size_t page_size() const override { return system_os().page_size(); }
  void allow(std::uint64_t more) { allowed_ = maps_ + more; }
  std::uint64_t maps() const { return maps_; }

 private:
  std::uint64_t allowed_;
  std::uint64_t maps_ = 0;
};

// Whether the page holding `p` is mapped at all (mincore fails with ENOMEM
// on unmapped ranges).
inline bool page_mapped(const void* p) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  unsigned char v = 0;
  void* base = reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(p) & ~(page - 1));
  return mincore(base, page, &v) == 0 || errno != ENOMEM;
}

inline std::size_t resident_pages(const void* p, std::size_t bytes) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(p) & ~(page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes + page - 1) & ~(page - 1);
  std::vector<unsigned char> v((end - begin) / page);
  if (mincore(reinterpret_cast<void*>(begin), end - begin, v.data()) != 0) return 0;
  std::size_t n = 0;
  for (auto b : v) n += b & 1;
  return n;
}

inline std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

}  // namespace allocsim::allocator::testing
