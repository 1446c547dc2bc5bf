#include "preload/stats_json.hpp"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "allocator/collector.hpp"
#include "sim/metrics/core_metrics.hpp"
#include "sim/metrics/metrics_io.hpp"

namespace allocsim::preload {
namespace {

using nlohmann::ordered_json;
namespace al = allocator;

// /proc/self/status "Name:   value kB" in bytes; 0 when absent.
std::uint64_t status_bytes(const char* field) {
  std::ifstream in("/proc/self/status");
  const std::string key = std::string(field) + ":";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) return std::strtoull(line.c_str() + key.size(), nullptr, 10) * 1024;
  return 0;
}

ordered_json program_args() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ordered_json args = ordered_json::array();
  for (std::size_t i = 0; i < all.size();) {
    std::size_t end = all.find('\0', i);
    if (end == std::string::npos) end = all.size();
    args.push_back(all.substr(i, end - i));
    i = end + 1;
  }
  return args;
}

sim::RunIdentity run_identity(const StatsIdentity& id) {
  sim::RunIdentity r;
  if (!id.policy.empty()) r.policy = id.policy;
  r.config = al::knob_values(*id.config);
  r.mode = "preload";
  r.backend = "core";
  r.allocator = {"allocsim-core", ALLOCSIM_VERSION};
  r.allocsim_version = ALLOCSIM_VERSION;
  return r;
}

sim::Summary summary(const al::HeapStats& s, std::uint64_t queue_bytes) {
  const al::ThreadCounts& t = s.threads;
  const al::CollectorCounts& c = s.collector;
  sim::Summary out;
  out.allocations = t.mallocs + t.large_allocs;
  out.frees = t.frees + t.large_frees;
  out.events = out.allocations + out.frees;
  out.peak_footprint_bytes = s.peak_mapped_bytes;
  out.final_footprint_bytes = s.mapped_bytes;
  out.footprint_source = "mapped";
  out.peak_rss_bytes = status_bytes("VmHWM");
  out.final_rss_bytes = status_bytes("VmRSS");
  out.rss_source = "measured";
  out.fallback_allocations = t.fallbacks;
  if (t.mallocs) out.fallback_rate = double(t.fallbacks) / double(t.mallocs);
  out.queue_grow_events = c.queue_grows;
  out.queue_reclaim_events = c.queue_reclaims;
  out.queue_bytes_final = queue_bytes;
  out.collector_work = sim::CollectorWork{c.work_units, c.hash_lookups + c.hash_inserts + c.hash_erases, {}, {}};
  return out;
}

// A real program has no trace; the core does not count live bytes, reallocs
// or failures, nor allocations per class: those fields are null here.
void mark_unmeasured(ordered_json& doc) {
  ordered_json& run = doc["run"];
  for (const char* key : {"trace", "trace_hash", "format", "trace_threads", "trace_has_time", "trace_anomalies"})
    run.erase(key);
  run["program"] = program_args();
  run["pid"] = getpid();
  for (const char* key : {"reallocs", "failed_allocations", "peak_live_bytes", "final_live_bytes", "final_live_objects"})
    doc["summary"][key] = nullptr;
  for (auto& row : doc["classes"])
    for (const char* key : {"allocations", "fallbacks", "fallback_rate"}) row[key] = nullptr;
}

ordered_json breakdown_json(const al::FootprintBreakdown& b) {
  ordered_json j;
  j["mapped"] = b.mapped;
  visit(b, [&](const char* name, std::uint64_t bytes) { j[name] = bytes; });
  return j;
}

}  // namespace

void write_stats_json(std::ostream& out, const al::Heap& heap, const StatsIdentity& id) {
  const al::HeapStats s = heap.stats();
  sim::Metrics m;
  m.run = run_identity(id);
  m.summary = summary(s, heap.queue_bytes());
  m.counters = sim::core_counter_groups(s);
  m.classes = sim::core_class_rows(heap);
  // The collector thread's share of the program's time since the heap was built.
  m.summary.collector_work->busy_ns = s.collector.busy_ns;
  if (id.wall_seconds > 0) m.summary.collector_work->utilization = double(s.collector.busy_ns) / (id.wall_seconds * 1e9);
  m.host.wall_seconds = id.wall_seconds;
  m.host.events_per_second = id.wall_seconds > 0 ? double(m.summary.events) / id.wall_seconds : 0;
  m.host.peak_rss_bytes = m.summary.peak_rss_bytes;
  m.host.final_rss_bytes = m.summary.final_rss_bytes;
  m.host.cpus = std::thread::hardware_concurrency();
  ordered_json doc = sim::metrics_json(m);
  mark_unmeasured(doc);
  doc["host"]["baseline_rss_bytes"] = id.baseline_rss_bytes;
  doc["footprint"] = {{"at_peak", breakdown_json(heap.peak_footprint())}, {"final", breakdown_json(heap.footprint())}};
  out << doc.dump(1) << '\n';
}

}  // namespace allocsim::preload
