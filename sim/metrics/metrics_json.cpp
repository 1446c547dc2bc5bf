#include "sim/metrics/fields.hpp"
#include "sim/metrics/metrics_io.hpp"

namespace allocsim::sim {
namespace {

using json = nlohmann::ordered_json;

template <typename T>
json optional(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <typename T>
json counts(const std::vector<std::pair<std::string, T>>& values) {
  json j = json::object();
  for (const auto& [k, v] : values) j[k] = v;
  return j;
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

template <typename T>
json series(const std::vector<T>& v) {
  return v.empty() ? json(nullptr) : json(v);
}

template <typename T>
json optional_values(const std::vector<std::optional<T>>& v) {
  json out = json::array();
  for (const auto& x : v) out.push_back(optional(x));
  return out;
}

json timeline_json(const Timeline& t) {
  return json{{"period_ns", t.period_ns},
              {"time_ns", t.time_ns},
              {"events", t.events},
              {"live_bytes", t.live_bytes},
              {"live_bytes_max", t.live_bytes_max},
              {"footprint_bytes", t.footprint_bytes},
              {"footprint_bytes_max", t.footprint_bytes_max},
              {"sim_rss_bytes", series(t.sim_rss_bytes)},
              {"sim_rss_bytes_max", series(t.sim_rss_bytes_max)},
              {"measured_rss_bytes", series(t.measured_rss_bytes)},
              {"measured_rss_bytes_max", series(t.measured_rss_bytes_max)},
              {"recorded_rss_bytes", t.recorded_rss_bytes.empty() ? json(nullptr) : optional_values(t.recorded_rss_bytes)},
              {"fragmentation", optional_values(t.fragmentation)},
              {"queue_bytes", t.queue_bytes},
              {"queue_classes", t.queue_classes},
              {"queue_targets", t.queue_targets.empty() || t.queue_targets.front().empty() ? json(nullptr)
                                                                                           : json(t.queue_targets)}};
}

}  // namespace

void to_json(json& j, const Metrics& m) {
  json groups = json::object();
  for (const auto& g : m.counters) groups[g.name] = counts(g.values);
  json classes = json::array();
  for (const auto& c : m.classes) classes.push_back(class_json(c));
  json log = json::array();
  for (const auto& e : m.events.entries) log.push_back(event_json(e));
  // The sections in their order; the figures (sim/metrics/fields.hpp) fill run, summary, latency, throughput and host.
  j = json{{"schema", kMetricsSchema},
           {"run", json::object()},
           {"summary", json::object()},
           {"counters", groups},
           {"classes", classes},
           {"events", {{"totals", counts(m.events.totals)}, {"dropped", counts(m.events.dropped)}, {"log", log}}},
           {"timeline", timeline_json(m.timeline)},
           {"latency", nullptr},
           {"throughput", nullptr},
           {"host", json::object()}};
  std::string absent;  // a null group's pointer plus '/': its members are not written
  for (const MetricField& f : metric_fields()) {
    if (!absent.empty() && f.pointer.starts_with(absent)) continue;
    json v = f.get(m);
    if (f.group && v.is_null()) absent = std::string(f.pointer) + "/";
    j[json::json_pointer(std::string(f.pointer))] = std::move(v);
  }
}

nlohmann::ordered_json metrics_json(const Metrics& m) {
  json j;
  to_json(j, m);
  return j;
}

}  // namespace allocsim::sim
