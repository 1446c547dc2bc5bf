// One CSV row per run: the run identity (without the config object) and
// every summary scalar, plus the threaded-mode throughput and latency and
// the wall time, so rows from any mode and backend share one header. An
// empty field is a figure the run does not have (null in the JSON).
#include <fmt/format.h>

#include <functional>

#include "sim/metrics/metrics_io.hpp"

namespace allocsim::sim {
namespace {

using Field = std::function<std::string(const Metrics&)>;

std::string text(std::uint64_t v) { return std::to_string(v); }
std::string text(double v) { return fmt::format("{}", v); }
std::string text(bool v) { return v ? "true" : "false"; }
std::string text(const std::string& v) { return v; }
template <typename T>
std::string text(const std::optional<T>& v) {
  return v ? text(*v) : std::string();
}

// Quotes a field holding a comma, quote or line break (RFC 4180).
std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

#define ALLOCSIM_CSV(name, expr) {name, [](const Metrics& m) { return text(expr); }}

const std::vector<std::pair<std::string, Field>>& fields() {
  static const std::vector<std::pair<std::string, Field>> table = {
      ALLOCSIM_CSV("trace", m.run.trace),
      ALLOCSIM_CSV("trace_hash", m.run.trace_hash),
      ALLOCSIM_CSV("format", m.run.format),
      ALLOCSIM_CSV("policy", m.run.policy),
      ALLOCSIM_CSV("config_file", m.run.config_file),
      ALLOCSIM_CSV("seed", m.run.seed),
      ALLOCSIM_CSV("mode", m.run.mode),
      ALLOCSIM_CSV("backend", m.run.backend),
      ALLOCSIM_CSV("allocator", m.run.allocator.name),
      ALLOCSIM_CSV("allocator_version", m.run.allocator.version),
      ALLOCSIM_CSV("allocsim_version", m.run.allocsim_version),
      ALLOCSIM_CSV("events", m.summary.events),
      ALLOCSIM_CSV("allocations", m.summary.allocations),
      ALLOCSIM_CSV("frees", m.summary.frees),
      ALLOCSIM_CSV("reallocs", m.summary.reallocs),
      ALLOCSIM_CSV("failed_allocations", m.summary.failed_allocations),
      ALLOCSIM_CSV("virtual_time_ns", m.summary.virtual_time_ns),
      ALLOCSIM_CSV("peak_live_bytes", m.summary.peak_live_bytes),
      ALLOCSIM_CSV("final_live_bytes", m.summary.final_live_bytes),
      ALLOCSIM_CSV("final_live_objects", m.summary.final_live_objects),
      ALLOCSIM_CSV("peak_footprint_bytes", m.summary.peak_footprint_bytes),
      ALLOCSIM_CSV("final_footprint_bytes", m.summary.final_footprint_bytes),
      ALLOCSIM_CSV("footprint_source", m.summary.footprint_source),
      ALLOCSIM_CSV("peak_rss_bytes", m.summary.peak_rss_bytes),
      ALLOCSIM_CSV("final_rss_bytes", m.summary.final_rss_bytes),
      ALLOCSIM_CSV("rss_source", m.summary.rss_source),
      ALLOCSIM_CSV("fallback_allocations", m.summary.fallback_allocations),
      ALLOCSIM_CSV("fallback_rate", m.summary.fallback_rate),
      ALLOCSIM_CSV("fallback_bursts", m.summary.fallback_bursts),
      ALLOCSIM_CSV("queue_grow_events", m.summary.queue_grow_events),
      ALLOCSIM_CSV("queue_reclaim_events", m.summary.queue_reclaim_events),
      ALLOCSIM_CSV("queue_bytes_peak", m.summary.queue_bytes_peak),
      ALLOCSIM_CSV("queue_bytes_final", m.summary.queue_bytes_final),
      ALLOCSIM_CSV("collector_work.units", m.summary.collector_work ? std::optional(m.summary.collector_work->units) : std::nullopt),
      ALLOCSIM_CSV("collector_work.hash_ops", m.summary.collector_work ? std::optional(m.summary.collector_work->hash_ops) : std::nullopt),
      ALLOCSIM_CSV("collector_work.busy_ns", m.summary.collector_work ? m.summary.collector_work->busy_ns : std::nullopt),
      ALLOCSIM_CSV("collector_work.utilization", m.summary.collector_work ? m.summary.collector_work->utilization : std::nullopt),
      ALLOCSIM_CSV("fragmentation.jw1_time_average", m.summary.fragmentation.jw1_time_average),
      ALLOCSIM_CSV("fragmentation.jw2_at_peak_live", m.summary.fragmentation.jw2_at_peak_live),
      ALLOCSIM_CSV("fragmentation.jw3_at_peak_footprint", m.summary.fragmentation.jw3_at_peak_footprint),
      ALLOCSIM_CSV("fragmentation.jw4_peak_over_peak", m.summary.fragmentation.jw4_peak_over_peak),
      ALLOCSIM_CSV("check_ok", m.summary.check_ok),
      ALLOCSIM_CSV("throughput.ops_per_second", m.throughput ? std::optional(m.throughput->ops_per_second) : std::nullopt),
      ALLOCSIM_CSV("latency.p50_ns", m.latency ? std::optional(m.latency->p50_ns) : std::nullopt),
      ALLOCSIM_CSV("latency.p90_ns", m.latency ? std::optional(m.latency->p90_ns) : std::nullopt),
      ALLOCSIM_CSV("latency.p99_ns", m.latency ? std::optional(m.latency->p99_ns) : std::nullopt),
      ALLOCSIM_CSV("latency.p999_ns", m.latency ? std::optional(m.latency->p999_ns) : std::nullopt),
      ALLOCSIM_CSV("latency.max_ns", m.latency ? std::optional(m.latency->max_ns) : std::nullopt),
      ALLOCSIM_CSV("host.wall_seconds", m.host.wall_seconds),
  };
  return table;
}

#undef ALLOCSIM_CSV

}  // namespace

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& f : fields()) n.push_back(f.first);
    return n;
  }();
  return names;
}

void write_csv(std::ostream& out, const Metrics& m) {
  std::string header, row;
  bool first = true;
  for (const auto& [name, field] : fields()) {
    if (!first) {
      header += ',';
      row += ',';
    }
    first = false;
    header += name;
    row += quoted(field(m));
  }
  out << header << '\n' << row << '\n';
}

}  // namespace allocsim::sim
