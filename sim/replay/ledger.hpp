#pragma once
// The trace's own bookkeeping, in trace order, shared by both engines: the
// object table, live bytes and their peak, operation counts, and the checks
// that the stream follows the event model (traces/event.hpp). A stream
// that breaks it cannot be replayed: ReplayError names the trace and event.
#include <array>
#include <cstdint>
#include <string>

#include <optional>

#include "sim/metrics/metrics.hpp"
#include "sim/replay/object_table.hpp"
#include "traces/event.hpp"

namespace allocsim::sim {

class ReplayLedger {
 public:
  explicit ReplayLedger(std::string trace) : trace_(std::move(trace)) {}

  // Counts e; checks its thread index is dense (the next new thread or a
  // known one). Returns true when e.thread is new.
  bool event(const traces::Event& e) {
    ++ops_[static_cast<int>(e.op)];
    if (e.thread < threads_) [[likely]] return false;
    if (e.thread != threads_) bad_thread(e);
    ++threads_;
    return true;
  }

  // The object e.dying() (Free, Realloc of a live object): must be live.
  ObjectTable::Slot& dying(const traces::Event& e) {
    const std::uint64_t id = e.dying();
    ObjectTable::Slot* s = table_.find(id);
    if (!s) [[unlikely]] not_live(e, id);
    return *s;
  }
  // Ends it; returns its size.
  std::uint64_t die(ObjectTable::Slot& s, std::uint64_t id) {
    const std::uint64_t size = table_.death(s, id);
    live_ -= size;
    ++frees_;
    return size;
  }
  // The object e.id is born: it must be the next id.
  ObjectTable::Slot& born(const traces::Event& e) {
    if (e.id != table_.next_id()) [[unlikely]] out_of_order(e);
    live_ += e.size;
    if (live_ > peak_live_) peak_live_ = live_;
    ++allocations_;
    return table_.birth(e.size);
  }

  void set_index(std::uint64_t index) { index_ = index; }
  ObjectTable& table() { return table_; }
  std::uint32_t threads() const { return threads_; }
  std::uint64_t live() const { return live_; }
  std::uint64_t peak_live() const { return peak_live_; }
  std::uint64_t allocations() const { return allocations_; }
  std::uint64_t frees() const { return frees_; }
  const std::array<std::uint64_t, traces::kOpCount>& ops() const { return ops_; }

  // The trace-order figures of `events` replayed events into m.summary, and
  // the "ops" and "replay" counter groups (cross-thread waits: threaded mode).
  void report(std::uint64_t events, std::uint64_t failed_allocations, std::optional<std::uint64_t> cross_thread_waits,
              Metrics& m) const;

  // Throws ReplayError "<trace>: event index N (op ...): why".
  [[noreturn]] void fail(const traces::Event& e, const std::string& why) const;

 private:
  [[noreturn]] void bad_thread(const traces::Event& e) const;
  [[noreturn]] void not_live(const traces::Event& e, std::uint64_t id) const;
  [[noreturn]] void out_of_order(const traces::Event& e) const;

  const std::string trace_;
  ObjectTable table_;
  std::uint64_t index_ = 0;  // of the event being applied
  std::uint32_t threads_ = 0;
  std::uint64_t live_ = 0, peak_live_ = 0, allocations_ = 0, frees_ = 0;
  std::array<std::uint64_t, traces::kOpCount> ops_{};
};

}  // namespace allocsim::sim
