#include "sim/metrics/fields.hpp"

#include <charconv>
#include <stdexcept>

namespace allocsim::sim {
namespace {

using Json = nlohmann::ordered_json;
using In = nlohmann::json;

template <typename T>
Json value(const T& v) {
  return Json(v);
}
template <typename T>
Json value(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}
template <typename T>
void assign(const In& j, T& out) {
  out = j.get<T>();
}
template <typename T>
void assign(const In& j, std::optional<T>& out) {
  if (j.is_null()) out.reset();
  else out = j.get<T>();
}

// Text that is empty when absent: null in the JSON.
Json text_or_null(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }
void assign_text(const In& j, std::string& out) { out = j.is_null() ? std::string() : j.get<std::string>(); }

// Knob values are text in the knob tables; JSON gets them typed.
Json typed(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  std::uint64_t n = 0;
  if (auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n); ec == std::errc() && p == v.data() + v.size() && !v.empty())
    return n;
  double d = 0;
  if (auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d); ec == std::errc() && p == v.data() + v.size() && !v.empty())
    return d;
  return v;
}
Json named(const NamedValues& values) {
  Json j = Json::object();
  for (const auto& [k, v] : values) j[k] = typed(v);
  return j;
}
void assign_named(const In& j, NamedValues& out) {
  out.clear();
  for (const auto& [k, v] : j.items()) out.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
}
Json counts(const std::vector<std::pair<std::string, std::uint64_t>>& values) {
  Json j = Json::object();
  for (const auto& [k, v] : values) j[k] = v;
  return j;
}
void assign_counts(const In& j, std::vector<std::pair<std::string, std::uint64_t>>& out) {
  out.clear();
  for (const auto& [k, v] : j.items()) out.emplace_back(k, v.get<std::uint64_t>());
}

// A member of Metrics.
#define FIELD(pointer, csv, member)                                                          \
  MetricField {                                                                              \
    pointer, csv, false, [](const Metrics& m) { return value(m.member); },                   \
        [](Metrics& m, const In& j) { assign(j, m.member); }                                 \
  }
// An optional group, and a member of one.
#define GROUP(pointer, group)                                                                \
  MetricField {                                                                              \
    pointer, "", true, [](const Metrics& m) { return m.group ? Json::object() : Json(nullptr); }, \
        [](Metrics& m, const In& j) {                                                        \
          if (j.is_null()) m.group.reset();                                                  \
          else m.group.emplace();                                                            \
        }                                                                                    \
  }
#define GROUP_FIELD(pointer, csv, group, member)                                             \
  MetricField {                                                                              \
    pointer, csv, false, [](const Metrics& m) { return m.group ? value(m.group->member) : Json(nullptr); }, \
        [](Metrics& m, const In& j) {                                                        \
          if (!m.group) m.group.emplace();                                                   \
          assign(j, m.group->member);                                                        \
        }                                                                                    \
  }
// A member with its own conversions.
#define CUSTOM_FIELD(pointer, csv, member, to, from)                                         \
  MetricField {                                                                              \
    pointer, csv, false, [](const Metrics& m) { return to(m.member); },                      \
        [](Metrics& m, const In& j) { from(j, m.member); }                                   \
  }

}  // namespace

const std::vector<MetricField>& metric_fields() {
  static const std::vector<MetricField> table = {
      FIELD("/run/trace", "trace", run.trace),
      CUSTOM_FIELD("/run/trace_hash", "trace_hash", run.trace_hash, text_or_null, assign_text),
      FIELD("/run/format", "format", run.format),
      FIELD("/run/trace_threads", "", run.trace_threads),
      FIELD("/run/trace_has_time", "", run.trace_has_time),
      CUSTOM_FIELD("/run/trace_anomalies", "", run.anomalies, counts, assign_counts),
      FIELD("/run/policy", "policy", run.policy),
      CUSTOM_FIELD("/run/config_file", "config_file", run.config_file, text_or_null, assign_text),
      CUSTOM_FIELD("/run/config", "", run.config, named, assign_named),
      CUSTOM_FIELD("/run/replay", "", run.replay, named, assign_named),
      FIELD("/run/seed", "seed", run.seed),
      FIELD("/run/time_scale", "time_scale", run.time_scale),
      FIELD("/run/mode", "mode", run.mode),
      FIELD("/run/backend", "backend", run.backend),
      FIELD("/run/allocator/name", "allocator_name", run.allocator.name),
      FIELD("/run/allocator/version", "allocator_version", run.allocator.version),
      FIELD("/run/allocsim_version", "allocsim_version", run.allocsim_version),

      FIELD("/summary/events", "events", summary.events),
      FIELD("/summary/allocations", "allocations", summary.allocations),
      FIELD("/summary/frees", "frees", summary.frees),
      FIELD("/summary/reallocs", "reallocs", summary.reallocs),
      FIELD("/summary/failed_allocations", "failed_allocations", summary.failed_allocations),
      FIELD("/summary/virtual_time_ns", "virtual_time_ns", summary.virtual_time_ns),
      FIELD("/summary/peak_live_bytes", "peak_live_bytes", summary.peak_live_bytes),
      FIELD("/summary/final_live_bytes", "final_live_bytes", summary.final_live_bytes),
      FIELD("/summary/final_live_objects", "final_live_objects", summary.final_live_objects),
      FIELD("/summary/peak_footprint_bytes", "peak_footprint_bytes", summary.peak_footprint_bytes),
      FIELD("/summary/final_footprint_bytes", "final_footprint_bytes", summary.final_footprint_bytes),
      FIELD("/summary/footprint_source", "footprint_source", summary.footprint_source),
      FIELD("/summary/peak_rss_bytes", "peak_rss_bytes", summary.peak_rss_bytes),
      FIELD("/summary/final_rss_bytes", "final_rss_bytes", summary.final_rss_bytes),
      FIELD("/summary/rss_source", "rss_source", summary.rss_source),
      FIELD("/summary/fallback_allocations", "fallback_allocations", summary.fallback_allocations),
      FIELD("/summary/fallback_rate", "fallback_rate", summary.fallback_rate),
      FIELD("/summary/fallback_bursts", "fallback_bursts", summary.fallback_bursts),
      FIELD("/summary/queue_grow_events", "queue_grow_events", summary.queue_grow_events),
      FIELD("/summary/queue_reclaim_events", "queue_reclaim_events", summary.queue_reclaim_events),
      FIELD("/summary/peak_queue_bytes", "peak_queue_bytes", summary.queue_bytes_peak),
      FIELD("/summary/final_queue_bytes", "final_queue_bytes", summary.queue_bytes_final),
      FIELD("/summary/queue_bytes_mean", "queue_bytes_mean", summary.queue_bytes_mean),
      GROUP("/summary/collector_work", summary.collector_work),
      GROUP_FIELD("/summary/collector_work/units", "collector_work_units", summary.collector_work, units),
      GROUP_FIELD("/summary/collector_work/hash_ops", "collector_work_hash_ops", summary.collector_work, hash_ops),
      GROUP_FIELD("/summary/collector_work/busy_ns", "collector_work_busy_ns", summary.collector_work, busy_ns),
      GROUP_FIELD("/summary/collector_work/utilization", "collector_work_utilization", summary.collector_work, utilization),
      FIELD("/summary/fragmentation/jw1_time_average", "fragmentation_jw1_time_average", summary.fragmentation.jw1_time_average),
      FIELD("/summary/fragmentation/jw2_at_peak_live", "fragmentation_jw2_at_peak_live", summary.fragmentation.jw2_at_peak_live),
      FIELD("/summary/fragmentation/jw3_at_peak_footprint", "fragmentation_jw3_at_peak_footprint", summary.fragmentation.jw3_at_peak_footprint),
      FIELD("/summary/fragmentation/jw4_peak_over_peak", "fragmentation_jw4_peak_over_peak", summary.fragmentation.jw4_peak_over_peak),
      FIELD("/summary/check_ok", "check_ok", summary.check_ok),
      FIELD("/summary/check_report", "", summary.check_report),

      GROUP("/throughput", throughput),
      GROUP_FIELD("/throughput/operations", "", throughput, operations),
      GROUP_FIELD("/throughput/wall_seconds", "", throughput, wall_seconds),
      GROUP_FIELD("/throughput/ops_per_second", "throughput_ops_per_second", throughput, ops_per_second),
      GROUP_FIELD("/throughput/cross_thread_waits", "", throughput, cross_thread_waits),

      GROUP("/latency", latency),
      GROUP_FIELD("/latency/samples", "", latency, samples),
      GROUP_FIELD("/latency/mean_ns", "", latency, mean_ns),
      GROUP_FIELD("/latency/p50_ns", "latency_p50_ns", latency, p50_ns),
      GROUP_FIELD("/latency/p90_ns", "latency_p90_ns", latency, p90_ns),
      GROUP_FIELD("/latency/p99_ns", "latency_p99_ns", latency, p99_ns),
      GROUP_FIELD("/latency/p999_ns", "latency_p999_ns", latency, p999_ns),
      GROUP_FIELD("/latency/max_ns", "latency_max_ns", latency, max_ns),

      FIELD("/host/wall_seconds", "host_wall_seconds", host.wall_seconds),
      FIELD("/host/events_per_second", "", host.events_per_second),
      FIELD("/host/baseline_rss_bytes", "", host.baseline_rss_bytes),
      FIELD("/host/peak_rss_bytes", "", host.peak_rss_bytes),
      FIELD("/host/final_rss_bytes", "", host.final_rss_bytes),
      FIELD("/host/timeline_rss_bytes", "", host.timeline_rss_bytes),
      FIELD("/host/cpus", "", host.cpus),
      FIELD("/host/oversubscribed", "", host.oversubscribed),
      FIELD("/host/collector_cpu_share", "", host.collector_cpu_share),
  };
  return table;
}

#undef FIELD
#undef GROUP
#undef GROUP_FIELD
#undef CUSTOM_FIELD

std::string figure_name(std::string_view pointer) {
  for (std::string_view section : {"/run/", "/summary/"})
    if (pointer.starts_with(section)) pointer.remove_prefix(section.size() - 1);
  std::string name(pointer.substr(pointer.empty() ? 0 : 1));
  for (char& c : name)
    if (c == '/') c = '_';
  return name;
}

const MetricField* find_metric_field(std::string_view pointer) {
  for (const auto& f : metric_fields())
    if (f.pointer == pointer) return &f;
  return nullptr;
}

Metrics metrics_from_json(const nlohmann::json& doc) {
  Metrics m;
  for (const auto& f : metric_fields()) {
    const nlohmann::json::json_pointer at{std::string(f.pointer)};
    if (!doc.contains(at)) continue;
    try {
      f.set(m, doc.at(at));
    } catch (const nlohmann::json::exception& e) {
      // "[json.exception.type_error.302] type must be number, but is string"
      const std::string what = e.what();
      const auto end = what.find("] ");
      throw std::invalid_argument(std::string(f.pointer) + ": " + (end == std::string::npos ? what : what.substr(end + 2)));
    }
  }
  return m;
}

}  // namespace allocsim::sim
