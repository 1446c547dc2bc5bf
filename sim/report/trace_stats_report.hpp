#pragma once
// Printers for traces::TraceStats: JSON (schema below) and plain text.
// Computation lives in traces/trace_stats.hpp; these only format.
//
// JSON, schema "allocsim-trace-stats/1": trace {path, format, threads,
// has_time, page_size, peak_rss_bytes, runtime_ms}, events, ops {malloc,
// calloc, realloc, memalign, free}, threads, allocations, frees,
// allocated_bytes, peak_live_bytes, peak_event_index, final_live_bytes,
// final_live_blocks, temporary_allocations, temporary_rule ("heaptrack" or
// "adjacent"), cross_thread_frees, unknown_frees, histograms {size_bytes,
// lifetime_events: [{min, max, count}] for non-empty power-of-two buckets},
// anomalies {kind: {count, samples: [{line, text}]}} for kinds seen, and
// heaptrack {allocations, deallocations, temporary, peak_bytes,
// leaked_bytes} for heaptrack files (heaptrack_print's own figures), and
// calls {alloc_calls, alloc_calls_by_function {name: count}, free_calls,
// null_frees, failed_allocs, realloc_pairs} for ltrace and mtrace files
// (the recording's own call counts, traces/call_accounting.hpp;
// alloc_calls_by_function only when the format names functions,
// realloc_pairs only for mtrace).
#include <nlohmann/json.hpp>
#include <ostream>

#include "traces/trace_stats.hpp"

namespace allocsim::sim {

nlohmann::ordered_json trace_stats_json(const traces::TraceStats& stats);
void print_trace_stats(const traces::TraceStats& stats, std::ostream& out);

}  // namespace allocsim::sim
