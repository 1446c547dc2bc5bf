#pragma once
// One pass over a trace: counts, live bytes, lifetimes, temporaries.
// Plain data; the text and JSON printers live in sim/report/trace_stats_report.hpp.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "traces/anomalies.hpp"
#include "traces/call_accounting.hpp"
#include "traces/event.hpp"
#include "traces/event_reader.hpp"
#include "traces/heaptrack_accounting.hpp"

namespace allocsim::traces {

// Power-of-two buckets: bucket 0 holds the value 0, bucket k >= 1 holds
// values in [2^(k-1), 2^k).
struct Log2Histogram {
  std::array<std::uint64_t, 65> buckets{};
  void add(std::uint64_t v) { ++buckets[v == 0 ? 0 : 64 - __builtin_clzll(v)]; }
  // Bucket k covers [lower(k), upper(k)].
  static std::uint64_t lower(int k) { return k == 0 ? 0 : std::uint64_t{1} << (k - 1); }
  static std::uint64_t upper(int k) { return k == 0 ? 0 : k == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << k) - 1; }
};

// How temporary_allocations was counted.
enum class TemporaryRule {
  Heaptrack,  // heaptrack_print's rule over allocation-info indices (heaptrack readers)
  Adjacent,   // a death that immediately follows its object's birth in the stream
};

struct TraceStats {
  TraceInfo info;
  AnomalyReport anomalies;

  std::uint64_t events = 0;
  std::array<std::uint64_t, kOpCount> ops{};  // by Op
  std::uint32_t threads = 0;                   // distinct thread indices seen (max + 1)
  std::uint64_t allocations = 0;               // births (every op but Free)
  std::uint64_t frees = 0;                     // deaths (Free, realloc of a live object)
  std::uint64_t allocated_bytes = 0;           // sum of birth sizes
  std::uint64_t peak_live_bytes = 0;
  std::uint64_t peak_event_index = 0;          // 0-based index of the event that first reached the peak
  std::uint64_t final_live_bytes = 0;
  std::uint64_t final_live_blocks = 0;
  std::uint64_t temporary_allocations = 0;
  TemporaryRule temporary_rule = TemporaryRule::Adjacent;
  std::uint64_t cross_thread_frees = 0;  // deaths on another thread than the birth
  // Frees the reader dropped (Anomaly::UnknownFree) plus deaths in the
  // stream of objects that were not live.
  std::uint64_t unknown_frees = 0;
  Log2Histogram sizes;      // of births, in bytes
  Log2Histogram lifetimes;  // of objects that died, in events from birth to death
  // heaptrack_print's own totals when the reader is a heaptrack reader.
  std::optional<HeaptrackTotals> heaptrack;
  // The recording's own call counts when the reader sees calls (ltrace, mtrace).
  std::optional<CallCounts> calls;
};

// Reads `reader` to its end. Throws TraceError from the reader, and when
// live bytes overflow 64 bits.
TraceStats trace_stats(EventReader& reader);

}  // namespace allocsim::traces
