#include <charconv>

#include "sim/metrics/metrics_io.hpp"

namespace allocsim::sim {
namespace {

using json = nlohmann::ordered_json;

template <typename T>
json optional(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

// Knob values are text in the knob tables; JSON gets them typed.
json typed(const std::string& v) {
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

json named(const NamedValues& values) {
  json j = json::object();
  for (const auto& [k, v] : values) j[k] = typed(v);
  return j;
}

template <typename T>
json counts(const std::vector<std::pair<std::string, T>>& values) {
  json j = json::object();
  for (const auto& [k, v] : values) j[k] = v;
  return j;
}

json run_json(const RunIdentity& r) {
  return json{{"trace", r.trace},
              {"trace_hash", r.trace_hash.empty() ? json(nullptr) : json(r.trace_hash)},
              {"format", r.format},
              {"trace_threads", r.trace_threads},
              {"trace_has_time", r.trace_has_time},
              {"trace_anomalies", counts(r.anomalies)},
              {"policy", optional(r.policy)},
              {"config_file", r.config_file.empty() ? json(nullptr) : json(r.config_file)},
              {"config", named(r.config)},
              {"replay", named(r.replay)},
              {"seed", r.seed},
              {"mode", r.mode},
              {"backend", r.backend},
              {"allocator", {{"name", r.allocator.name}, {"version", r.allocator.version}}},
              {"allocsim_version", r.allocsim_version}};
}

json summary_json(const Summary& s) {
  json work = nullptr;
  if (const auto& w = s.collector_work)
    work = {{"units", w->units}, {"hash_ops", w->hash_ops}, {"busy_ns", optional(w->busy_ns)},
            {"utilization", optional(w->utilization)}};
  const Fragmentation& f = s.fragmentation;
  return json{{"events", s.events},
              {"allocations", s.allocations},
              {"frees", s.frees},
              {"reallocs", s.reallocs},
              {"failed_allocations", s.failed_allocations},
              {"virtual_time_ns", optional(s.virtual_time_ns)},
              {"peak_live_bytes", s.peak_live_bytes},
              {"final_live_bytes", s.final_live_bytes},
              {"final_live_objects", s.final_live_objects},
              {"peak_footprint_bytes", s.peak_footprint_bytes},
              {"final_footprint_bytes", s.final_footprint_bytes},
              {"footprint_source", s.footprint_source},
              {"peak_rss_bytes", s.peak_rss_bytes},
              {"final_rss_bytes", s.final_rss_bytes},
              {"rss_source", s.rss_source},
              {"fallback_allocations", optional(s.fallback_allocations)},
              {"fallback_rate", optional(s.fallback_rate)},
              {"fallback_bursts", optional(s.fallback_bursts)},
              {"queue_grow_events", optional(s.queue_grow_events)},
              {"queue_reclaim_events", optional(s.queue_reclaim_events)},
              {"queue_bytes_peak", optional(s.queue_bytes_peak)},
              {"queue_bytes_final", optional(s.queue_bytes_final)},
              {"collector_work", work},
              {"fragmentation",
               {{"jw1_time_average", optional(f.jw1_time_average)},
                {"jw2_at_peak_live", optional(f.jw2_at_peak_live)},
                {"jw3_at_peak_footprint", optional(f.jw3_at_peak_footprint)},
                {"jw4_peak_over_peak", optional(f.jw4_peak_over_peak)}}},
              {"check_ok", optional(s.check_ok)},
              {"check_report", optional(s.check_report)}};
}

json class_json(const ClassMetrics& c) {
  const std::uint64_t served = c.allocations;
  auto rate = [&](std::optional<std::uint64_t> n) {
    return n && served ? json(static_cast<double>(*n) / static_cast<double>(served)) : json(nullptr);
  };
  return json{{"class", c.index},
              {"chunk_bytes", c.chunk_bytes},
              {"target", c.target},
              {"peak_target", c.peak_target},
              {"queue_length", c.queue_length},
              {"grow_events", c.grow_events},
              {"reclaim_events", c.reclaim_events},
              {"empty_findings", c.empty_findings},
              {"full_findings", c.full_findings},
              {"allocations", c.allocations},
              {"cache_hits", optional(c.cache_hits)},
              {"queue_hits", optional(c.queue_hits)},
              {"fallbacks", c.fallbacks},
              {"cache_hit_rate", rate(c.cache_hits)},
              {"queue_hit_rate", rate(c.queue_hits)},
              {"fallback_rate", rate(std::optional<std::uint64_t>(c.fallbacks))}};
}

json event_json(const LoggedEvent& e) {
  json j{{"t_ns", e.time_ns}, {"kind", e.kind}};
  if (e.size_class) j["class"] = *e.size_class;
  if (e.thread) j["thread"] = *e.thread;
  j["bytes"] = e.bytes;
  j["count"] = e.count;
  j["value"] = e.value;
  if (e.end_ns) j["end_ns"] = *e.end_ns;
  return j;
}

json timeline_json(const Timeline& t) {
  json frag = json::array();
  for (const auto& f : t.fragmentation) frag.push_back(optional(f));
  return json{{"period_ns", t.period_ns},
              {"time_ns", t.time_ns},
              {"live_bytes", t.live_bytes},
              {"footprint_bytes", t.footprint_bytes},
              {"sim_rss_bytes", t.sim_rss_bytes.empty() ? json(nullptr) : json(t.sim_rss_bytes)},
              {"fragmentation", frag},
              {"queue_bytes", t.queue_bytes},
              {"queue_classes", t.queue_classes},
              {"queue_targets", t.queue_targets.empty() || t.queue_targets.front().empty() ? json(nullptr)
                                                                                           : json(t.queue_targets)}};
}

json latency_json(const std::optional<Latency>& l) {
  if (!l) return nullptr;
  return json{{"samples", l->samples}, {"mean_ns", l->mean_ns}, {"p50_ns", l->p50_ns}, {"p90_ns", l->p90_ns},
              {"p99_ns", l->p99_ns},   {"p999_ns", l->p999_ns}, {"max_ns", l->max_ns}};
}

json throughput_json(const std::optional<Throughput>& t) {
  if (!t) return nullptr;
  return json{{"operations", t->operations},
              {"wall_seconds", t->wall_seconds},
              {"ops_per_second", t->ops_per_second},
              {"cross_thread_waits", t->cross_thread_waits}};
}

}  // namespace

void to_json(json& j, const Metrics& m) {
  json groups = json::object();
  for (const auto& g : m.counters) groups[g.name] = counts(g.values);
  json classes = json::array();
  for (const auto& c : m.classes) classes.push_back(class_json(c));
  json log = json::array();
  for (const auto& e : m.events.entries) log.push_back(event_json(e));
  j = json{{"schema", kMetricsSchema},
           {"run", run_json(m.run)},
           {"summary", summary_json(m.summary)},
           {"counters", groups},
           {"classes", classes},
           {"events", {{"totals", counts(m.events.totals)}, {"dropped", counts(m.events.dropped)}, {"log", log}}},
           {"timeline", timeline_json(m.timeline)},
           {"latency", latency_json(m.latency)},
           {"throughput", throughput_json(m.throughput)},
           {"host",
            {{"wall_seconds", m.host.wall_seconds},
             {"events_per_second", m.host.events_per_second},
             {"peak_rss_bytes", m.host.peak_rss_bytes},
             {"final_rss_bytes", m.host.final_rss_bytes},
             {"timeline_rss_bytes", m.host.timeline_rss_bytes},
             {"cpus", m.host.cpus}}}};
}

nlohmann::ordered_json metrics_json(const Metrics& m) {
  json j;
  to_json(j, m);
  return j;
}

}  // namespace allocsim::sim
