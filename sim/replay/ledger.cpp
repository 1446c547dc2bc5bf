#include "sim/replay/ledger.hpp"

#include <fmt/format.h>

#include "sim/replay/replay.hpp"

namespace allocsim::sim {

void ReplayLedger::fail(const traces::Event& e, const std::string& why) const {
  std::string what = fmt::format("{} of object {}", traces::op_name(e.op), e.id);
  if (e.op == traces::Op::Realloc && e.old_id != traces::kNoObject) what += fmt::format(" from object {}", e.old_id);
  throw ReplayError(fmt::format("{}: event index {} ({} on thread {}): {}", trace_.empty() ? "<trace>" : trace_,
                                index_, what, e.thread, why));
}

void ReplayLedger::report(std::uint64_t events, std::uint64_t failed_allocations,
                          std::optional<std::uint64_t> cross_thread_waits, Metrics& m) const {
  Summary& s = m.summary;
  s.events = events;
  s.allocations = allocations_;
  s.frees = frees_;
  s.reallocs = ops_[static_cast<int>(traces::Op::Realloc)];
  s.failed_allocations = failed_allocations;
  s.peak_live_bytes = peak_live_;
  s.final_live_bytes = live_;
  s.final_live_objects = table_.live_count();
  CounterGroup ops{"ops", {}};
  for (int op = 0; op < traces::kOpCount; ++op) ops.values.emplace_back(traces::op_name(static_cast<traces::Op>(op)), ops_[op]);
  CounterGroup replay{"replay",
                      {{"events", events},
                       {"allocations", allocations_},
                       {"frees", frees_},
                       {"failed_allocations", failed_allocations},
                       {"threads", threads_}}};
  if (cross_thread_waits) replay.values.emplace_back("cross_thread_waits", *cross_thread_waits);
  m.counters.insert(m.counters.begin(), {std::move(ops), std::move(replay)});
}

void ReplayLedger::bad_thread(const traces::Event& e) const {
  fail(e, fmt::format("thread {} appears before thread {} (threads must be numbered in order of first appearance)",
                      e.thread, threads_));
}

void ReplayLedger::not_live(const traces::Event& e, std::uint64_t id) const {
  fail(e, fmt::format("object {} is not live (never allocated, or already freed): the free names an unknown object",
                      id));
}

void ReplayLedger::out_of_order(const traces::Event& e) const {
  fail(e, fmt::format("object {} is born out of order (the next new object must be {})", e.id, table_.next_id()));
}

}  // namespace allocsim::sim
