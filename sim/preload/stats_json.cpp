#include "sim/preload/stats_json.hpp"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>

#include "allocator/collector.hpp"

namespace allocsim::preload {
namespace {

using nlohmann::json;

// /proc/self/status "Name:   value kB" in bytes; 0 when absent.
std::uint64_t status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::strtoull(line.c_str() + key.size(), nullptr, 10) * 1024;
  return 0;
}

json program_args() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  json args = json::array();
  for (std::size_t i = 0; i < all.size();) {
    const std::size_t end = all.find('\0', i);
    args.push_back(all.substr(i, end == std::string::npos ? std::string::npos : end - i));
    if (end == std::string::npos) break;
    i = end + 1;
  }
  return args;
}

json run_identity(const StatsIdentity& id) {
  json config = json::object();
  for (const auto& [k, v] : allocator::knob_values(*id.config)) config[k] = v;
  return {{"policy", id.policy.empty() ? json(nullptr) : json(id.policy)},
          {"config_file", ""},
          {"config", config},
          {"mode", "preload"},
          {"backend", "core"},
          {"allocator", {{"name", "allocsim-core"}, {"version", ALLOCSIM_VERSION}}},
          {"allocsim_version", ALLOCSIM_VERSION},
          {"program", program_args()},
          {"pid", getpid()}};
}

json summary(const allocator::HeapStats& s, std::uint64_t queue_bytes) {
  const auto& t = s.threads;
  const auto& c = s.collector;
  const std::uint64_t allocations = t.mallocs + t.large_allocs;
  const std::uint64_t frees = t.frees + t.large_frees;
  return {{"events", allocations + frees},
          {"allocations", allocations},
          {"frees", frees},
          {"peak_footprint_bytes", s.peak_mapped_bytes},
          {"final_footprint_bytes", s.mapped_bytes},
          {"footprint_source", "mapped"},
          {"peak_rss_bytes", status_kib("VmHWM")},
          {"final_rss_bytes", status_kib("VmRSS")},
          {"rss_source", "measured"},
          {"fallback_allocations", t.fallbacks},
          {"fallback_rate", t.mallocs ? json(double(t.fallbacks) / double(t.mallocs)) : json(nullptr)},
          {"queue_grow_events", c.queue_grows},
          {"queue_reclaim_events", c.queue_reclaims},
          {"queue_bytes_final", queue_bytes},
          {"collector_work", {{"units", c.work_units}, {"hash_ops", c.hash_lookups + c.hash_inserts + c.hash_erases}}},
          {"check_ok", nullptr}};
}

json counters(const allocator::HeapStats& s) {
  json threads = json::object(), collector = json::object();
  visit(s.threads, [&](const char* name, std::uint64_t v) { threads[name] = v; });
  visit(s.collector, [&](const char* name, std::uint64_t v) { collector[name] = v; });
  const json os = {{"mapped_bytes", s.mapped_bytes},     {"peak_mapped_bytes", s.peak_mapped_bytes},
                   {"blocks", s.blocks},                 {"large_mappings", s.large_mappings},
                   {"large_bytes", s.large_bytes},       {"os_maps", s.os_maps},
                   {"os_unmaps", s.os_unmaps},           {"queue_bytes", s.queue_bytes}};
  return {{"threads", threads}, {"collector", collector}, {"os", os}};
}

json classes(const allocator::Heap& heap) {
  json rows = json::array();
  for (std::uint32_t c = 0; c < heap.classes().count(); ++c) {
    const allocator::ClassQueueState q = heap.collector().queue_state(c);
    rows.push_back({{"index", c},
                    {"chunk_bytes", heap.classes().size(c)},
                    {"target", q.target},
                    {"peak_target", q.peak_target},
                    {"queue_length", heap.queue_length(c)},
                    {"grow_events", q.grow_events},
                    {"reclaim_events", q.reclaim_events},
                    {"empty_findings", q.empty_findings},
                    {"full_findings", q.full_findings}});
  }
  return rows;
}

}  // namespace

void write_stats_json(std::ostream& out, const allocator::Heap& heap, const StatsIdentity& id) {
  const allocator::HeapStats s = heap.stats();
  const json doc = {{"schema", "allocsim-metrics/1"},
                    {"run", run_identity(id)},
                    {"summary", summary(s, heap.queue_bytes())},
                    {"counters", counters(s)},
                    {"classes", classes(heap)},
                    {"host",
                     {{"wall_seconds", id.wall_seconds},
                      {"peak_rss_bytes", status_kib("VmHWM")},
                      {"final_rss_bytes", status_kib("VmRSS")},
                      {"cpus", std::thread::hardware_concurrency()}}}};
  out << doc.dump(2) << '\n';
}

}  // namespace allocsim::preload
