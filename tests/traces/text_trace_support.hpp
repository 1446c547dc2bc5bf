#pragma once
// Test support for the text trace readers (ltrace, mtrace, CSV): run a
// reader over an in-memory text or a sample file, and fold its events into
// the figures the reference tables of traces/samples/README.md give.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "traces/event_reader.hpp"
#include "traces/input_stream.hpp"
#include "traces/ltrace_reader.hpp"

namespace allocsim::traces::testing {

using MakeReader = std::function<std::unique_ptr<EventReader>(std::unique_ptr<LineReader>, const ReadOptions&)>;

struct ReadResult {
  std::vector<Event> events;
  AnomalyReport anomalies;
  TraceInfo info;
  std::optional<LtraceCallCounts> calls;  // ltrace readers only

  std::uint64_t count(Anomaly a) const { return anomalies.count(a); }
};

// Reads everything, in small batches so the batching itself is exercised.
inline ReadResult drain(EventReader& reader) {
  ReadResult r;
  std::vector<Event> batch(7);
  while (const std::size_t n = reader.read(batch)) r.events.insert(r.events.end(), batch.begin(), batch.begin() + n);
  r.anomalies = reader.anomalies();
  r.info = reader.info();
  if (const auto* lt = dynamic_cast<const LtraceReader*>(&reader)) r.calls = lt->ltrace_calls();
  return r;
}

inline ReadResult read_text(const MakeReader& make, std::string_view text, const ReadOptions& options = {},
                            const std::string& name = "test.txt") {
  auto reader = make(std::make_unique<LineReader>(make_memory_source(text, name)), options);
  return drain(*reader);
}

inline std::string sample_path(const std::string& name) { return std::string(ALLOCSIM_SOURCE_DIR) + "/traces/samples/" + name; }

inline ReadResult read_sample(const MakeReader& make, const std::string& name, const ReadOptions& options = {}) {
  auto reader = make(std::make_unique<LineReader>(open_input(sample_path(name))), options);
  return drain(*reader);
}

// What an event stream says about the heap, checking as it goes that it is
// a valid stream (every death names a live object, ids are born in order).
struct Fold {
  std::uint64_t allocs = 0;         // events that allocate
  std::uint64_t frees = 0;          // Op::Free events
  std::uint64_t reallocs = 0;       // Op::Realloc events
  std::uint64_t realloc_moves = 0;  // Op::Realloc events with an old object
  std::uint64_t cross_thread = 0;   // deaths on another thread than the birth
  std::uint64_t peak_live_bytes = 0;
  std::uint64_t live_bytes = 0;
  std::uint64_t live_blocks = 0;
};

inline Fold fold(const std::vector<Event>& events) {
  struct Live {
    std::uint64_t size;
    std::uint32_t thread;
  };
  std::unordered_map<std::uint64_t, Live> live;
  std::uint64_t next_id = 0;
  Fold f;
  for (const Event& e : events) {
    if (e.frees()) {
      auto it = live.find(e.dying());
      EXPECT_NE(it, live.end()) << "death of object " << e.dying() << ", which is not live";
      if (it == live.end()) continue;
      f.live_bytes -= it->second.size;
      if (it->second.thread != e.thread) ++f.cross_thread;
      live.erase(it);
    }
    if (e.op == Op::Free) {
      ++f.frees;
      continue;
    }
    EXPECT_EQ(e.id, next_id) << "objects must be born in id order";
    next_id = e.id + 1;
    ++f.allocs;
    if (e.op == Op::Realloc) ++f.reallocs;
    if (e.op == Op::Realloc && e.old_id != kNoObject) ++f.realloc_moves;
    live[e.id] = Live{e.size, e.thread};
    f.live_bytes += e.size;
    f.peak_live_bytes = std::max(f.peak_live_bytes, f.live_bytes);
  }
  f.live_blocks = live.size();
  return f;
}

}  // namespace allocsim::traces::testing
