#include "sim/report/trace_stats_report.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace allocsim::sim {
namespace {

using traces::Log2Histogram;
using traces::TraceStats;

std::string_view rule_name(traces::TemporaryRule r) {
  return r == traces::TemporaryRule::Heaptrack ? "heaptrack" : "adjacent";
}

nlohmann::ordered_json histogram_json(const Log2Histogram& h) {
  auto rows = nlohmann::ordered_json::array();
  for (int k = 0; k < static_cast<int>(h.buckets.size()); ++k)
    if (h.buckets[k] != 0)
      rows.push_back({{"min", Log2Histogram::lower(k)}, {"max", Log2Histogram::upper(k)}, {"count", h.buckets[k]}});
  return rows;
}

nlohmann::ordered_json anomalies_json(const traces::AnomalyReport& report) {
  auto out = nlohmann::ordered_json::object();
  for (int k = 0; k < traces::kAnomalyKinds; ++k) {
    if (report.counts[k] == 0) continue;
    auto samples = nlohmann::ordered_json::array();
    for (const auto& s : report.samples[k]) samples.push_back({{"line", s.line}, {"text", s.text}});
    out[std::string(traces::anomaly_name(static_cast<traces::Anomaly>(k)))] = {{"count", report.counts[k]},
                                                                                {"samples", samples}};
  }
  return out;
}

nlohmann::ordered_json calls_json(const traces::CallCounts& c) {
  nlohmann::ordered_json j;
  j["alloc_calls"] = c.alloc_calls;
  if (!c.alloc_calls_by_function.empty()) {
    auto by_function = nlohmann::ordered_json::object();
    for (const auto& [name, count] : c.alloc_calls_by_function) by_function[name] = count;
    j["alloc_calls_by_function"] = by_function;
  }
  j["free_calls"] = c.free_calls;
  j["null_frees"] = c.null_frees;
  j["failed_allocs"] = c.failed_allocs;
  if (c.realloc_pairs) j["realloc_pairs"] = *c.realloc_pairs;
  return j;
}

void print_calls(std::ostream& out, const traces::CallCounts& c) {
  std::string by_function;
  for (const auto& [name, count] : c.alloc_calls_by_function)
    by_function += fmt::format("{}{} {}", by_function.empty() ? " (" : ", ", name, count);
  if (!by_function.empty()) by_function += ')';
  fmt::print(out, "alloc calls:           {}{}\n", c.alloc_calls, by_function);
  fmt::print(out, "free calls:            {} ({} NULL)\n", c.free_calls, c.null_frees);
  fmt::print(out, "failed allocations:    {}\n", c.failed_allocs);
  if (c.realloc_pairs) fmt::print(out, "realloc pairs:         {}\n", *c.realloc_pairs);
}

void print_histogram(std::ostream& out, std::string_view title, std::string_view unit, const Log2Histogram& h) {
  fmt::print(out, "{}:\n", title);
  for (int k = 0; k < static_cast<int>(h.buckets.size()); ++k)
    if (h.buckets[k] != 0)
      fmt::print(out, "  {:>12} .. {:<12} {} {:>12}\n", Log2Histogram::lower(k), Log2Histogram::upper(k), unit,
                 h.buckets[k]);
}

}  // namespace

nlohmann::ordered_json trace_stats_json(const TraceStats& s) {
  nlohmann::ordered_json j;
  j["schema"] = "allocsim-trace-stats/1";
  j["trace"] = {{"path", s.info.path},
                {"format", traces::format_name(s.info.format)},
                {"threads", s.info.threads},
                {"has_time", s.info.has_time},
                {"page_size", s.info.page_size},
                {"peak_rss_bytes", s.info.peak_rss_bytes},
                {"runtime_ms", s.info.runtime_ms},
                {"traced_wall_ns", s.info.traced_wall_ns},
                {"untraced_wall_ns", s.info.untraced_wall_ns},
                {"time_scale", s.info.untraced_ratio()}};
  j["events"] = s.events;
  auto ops = nlohmann::ordered_json::object();
  for (int k = 0; k < traces::kOpCount; ++k) ops[std::string(traces::op_name(static_cast<traces::Op>(k)))] = s.ops[k];
  j["ops"] = ops;
  j["threads"] = s.threads;
  j["allocations"] = s.allocations;
  j["frees"] = s.frees;
  j["allocated_bytes"] = s.allocated_bytes;
  j["peak_live_bytes"] = s.peak_live_bytes;
  j["peak_event_index"] = s.peak_event_index;
  j["final_live_bytes"] = s.final_live_bytes;
  j["final_live_blocks"] = s.final_live_blocks;
  j["temporary_allocations"] = s.temporary_allocations;
  j["temporary_rule"] = rule_name(s.temporary_rule);
  j["cross_thread_frees"] = s.cross_thread_frees;
  j["unknown_frees"] = s.unknown_frees;
  j["histograms"] = {{"size_bytes", histogram_json(s.sizes)}, {"lifetime_events", histogram_json(s.lifetimes)}};
  j["anomalies"] = anomalies_json(s.anomalies);
  if (s.heaptrack) {
    const auto& h = *s.heaptrack;
    j["heaptrack"] = {{"allocations", h.allocations},   {"deallocations", h.deallocations},
                      {"temporary", h.temporary},       {"peak_bytes", h.peak_bytes},
                      {"leaked_bytes", h.leaked_bytes}};
  }
  if (s.calls) j["calls"] = calls_json(*s.calls);
  return j;
}

void print_trace_stats(const TraceStats& s, std::ostream& out) {
  fmt::print(out, "trace:                 {} ({})\n", s.info.path, traces::format_name(s.info.format));
  fmt::print(out, "events:                {}\n", s.events);
  for (int k = 0; k < traces::kOpCount; ++k)
    fmt::print(out, "  {:<20} {}\n", traces::op_name(static_cast<traces::Op>(k)), s.ops[k]);
  fmt::print(out, "threads:               {}\n", s.threads);
  fmt::print(out, "allocations:           {} ({} bytes)\n", s.allocations, s.allocated_bytes);
  fmt::print(out, "frees:                 {}\n", s.frees);
  fmt::print(out, "peak live bytes:       {} (at event {})\n", s.peak_live_bytes, s.peak_event_index);
  fmt::print(out, "final live:            {} bytes in {} blocks\n", s.final_live_bytes, s.final_live_blocks);
  fmt::print(out, "temporary allocations: {} ({} rule)\n", s.temporary_allocations, rule_name(s.temporary_rule));
  fmt::print(out, "cross-thread frees:    {}\n", s.cross_thread_frees);
  fmt::print(out, "unknown frees:         {}\n", s.unknown_frees);
  if (s.calls) print_calls(out, *s.calls);
  if (s.info.page_size) fmt::print(out, "page size:             {}\n", s.info.page_size);
  if (s.info.peak_rss_bytes) fmt::print(out, "peak RSS:              {} bytes\n", s.info.peak_rss_bytes);
  if (s.info.runtime_ms) fmt::print(out, "runtime:               {} ms\n", s.info.runtime_ms);
  if (s.info.traced_wall_ns && s.info.untraced_wall_ns)
    fmt::print(out, "wall time:             {:.3f} ms recorded, {:.3f} ms untraced: replay scales time by {:.4g}\n",
               s.info.traced_wall_ns / 1e6, s.info.untraced_wall_ns / 1e6, s.info.untraced_ratio());
  if (s.heaptrack) {
    const auto& h = *s.heaptrack;
    fmt::print(out, "heaptrack_print:       {} allocations, {} deallocations, {} temporary, peak {} bytes, leaked {} bytes\n",
               h.allocations, h.deallocations, h.temporary, h.peak_bytes, h.leaked_bytes);
  }
  for (int k = 0; k < traces::kAnomalyKinds; ++k) {
    if (s.anomalies.counts[k] == 0) continue;
    fmt::print(out, "anomaly {}: {}\n", traces::anomaly_name(static_cast<traces::Anomaly>(k)), s.anomalies.counts[k]);
    for (const auto& sample : s.anomalies.samples[k]) fmt::print(out, "  line {}: {}\n", sample.line, sample.text);
  }
  print_histogram(out, "sizes", "bytes ", s.sizes);
  print_histogram(out, "lifetimes", "events", s.lifetimes);
}

}  // namespace allocsim::sim
