#pragma once
// One replayed thread of the threaded replay: an OS thread that takes the
// events of one trace thread from its bounded queue, in order, and applies
// them through its own BackendThread. A free or realloc of an object
// allocated elsewhere first waits until the allocating thread has
// published the pointer in the object table (release/acquire on the slot).
// Each allocator call is timed into the thread's latency histogram.
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "sim/backend/backend.hpp"
#include "sim/metrics/latency.hpp"
#include "sim/replay/object_table.hpp"
#include "sim/config/run_config.hpp"
#include "sim/replay/spsc_queue.hpp"
#include "traces/event.hpp"

namespace allocsim::sim {

struct ReplayMessage {
  ObjectTable::Slot* born = nullptr;   // the object this event allocates
  ObjectTable::Slot* dying = nullptr;  // the object it frees
  std::uint64_t size = 0, dying_size = 0, dying_id = 0;
  std::uint32_t align = 0;
  traces::Op op = traces::Op::Malloc;
};

inline constexpr std::uint64_t kNotWaiting = ~std::uint64_t{0};
// The pointer a slot holds when the allocation returned NULL (so waiters see it happened).
void* failed_allocation_marker();

class ReplayWorker {
 public:
  ReplayWorker(std::uint32_t index, std::size_t queue, Backend& backend, Touch touch, const std::atomic<bool>& abort)
      : index_(index), queue_(queue), backend_(backend), touch_(touch), abort_(abort) {}
  ~ReplayWorker() {
    if (thread_.joinable()) thread_.join();
  }
  ReplayWorker(const ReplayWorker&) = delete;
  ReplayWorker& operator=(const ReplayWorker&) = delete;

  void start() { thread_ = std::thread([this] { run(); }); }
  void join() { thread_.join(); }

  SpscQueue<ReplayMessage>& queue() { return queue_; }
  std::uint64_t done() const { return done_.load(std::memory_order_acquire); }
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  std::uint64_t waiting_on() const { return waiting_on_.load(std::memory_order_relaxed); }
  std::uint32_t index() const { return index_; }
  // Valid after join().
  const LatencyHistogram& latency() const { return latency_; }
  std::uint64_t waits() const { return waits_; }
  std::uint64_t failed() const { return failed_; }

 private:
  void run();
  void execute(const ReplayMessage& m);
  void* wait_for(const ReplayMessage& m);
  template <typename F>
  void* timed(F&& op);
  void publish(const ReplayMessage& m, void* p);

  const std::uint32_t index_;
  SpscQueue<ReplayMessage> queue_;
  Backend& backend_;
  const Touch touch_;
  const std::atomic<bool>& abort_;
  std::unique_ptr<BackendThread> thread_heap_;
  std::thread thread_;
  std::atomic<std::uint64_t> done_{0};
  std::atomic<bool> finished_{false};
  std::atomic<std::uint64_t> waiting_on_{kNotWaiting};
  LatencyHistogram latency_;
  std::uint64_t waits_ = 0, failed_ = 0;
};

}  // namespace allocsim::sim
