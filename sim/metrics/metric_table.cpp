#include "sim/metrics/metric_table.hpp"

#include <stdexcept>

#include "sim/metrics/fields.hpp"

namespace allocsim::sim {

const std::vector<MetricDef>& key_metrics() {
  using U = MetricUnit;
  static const std::vector<MetricDef> table = {
      {"peak_live_bytes", "/summary/peak_live_bytes", U::Bytes, true, false, "peak live"},
      {"peak_footprint_bytes", "/summary/peak_footprint_bytes", U::Bytes, true, true, "peak footprint"},
      {"peak_rss_simulated_bytes", "/summary/peak_rss_bytes", U::Bytes, true, true, "sim RSS", "simulated"},
      {"peak_rss_measured_bytes", "/summary/peak_rss_bytes", U::Bytes, true, true, "measured RSS", "measured"},
      {"fragmentation_jw1_time_average", "/summary/fragmentation/jw1_time_average", U::Ratio, true, false, "frag avg"},
      {"fragmentation_jw2_at_peak_live", "/summary/fragmentation/jw2_at_peak_live", U::Ratio, true, false, "frag@live"},
      {"fragmentation_jw3_at_peak_footprint", "/summary/fragmentation/jw3_at_peak_footprint", U::Ratio, true, false, "frag@peak fp"},
      // The headline fragmentation is J&W's measure 4: it does not depend on
      // which moment a threaded run's samples caught, and stays finite where
      // the footprint peaks while little is live (measure 3 then reads 10^7 %).
      {"fragmentation_jw4_peak_over_peak", "/summary/fragmentation/jw4_peak_over_peak", U::Ratio, true, true, "peak footprint/peak live"},
      {"fallback_rate", "/summary/fallback_rate", U::Fraction, true, true, "fallback"},
      {"fallback_allocations", "/summary/fallback_allocations", U::Count, true, false, "fallbacks"},
      {"queue_grow_events", "/summary/queue_grow_events", U::Count, true, false, "grows"},
      {"queue_reclaim_events", "/summary/queue_reclaim_events", U::Count, true, false, "reclaims"},
      {"peak_queue_bytes", "/summary/peak_queue_bytes", U::Bytes, true, false, "queue peak"},
      {"queue_bytes_mean", "/summary/queue_bytes_mean", U::Bytes, true, true, "queue mean"},
      {"collector_work_units", "/summary/collector_work/units", U::Count, true, true, "GC work"},
      {"collector_work_hash_ops", "/summary/collector_work/hash_ops", U::Count, true, false, "hash ops"},
      {"collector_work_utilization", "/summary/collector_work/utilization", U::Fraction, true, false, "GC busy"},
      {"throughput_ops_per_second", "/throughput/ops_per_second", U::PerSecond, false, true, "ops/s"},
      {"latency_p99_ns", "/latency/p99_ns", U::Nanoseconds, true, false, "p99"},
      {"host_wall_seconds", "/host/wall_seconds", U::Seconds, true, false, "wall"},
  };
  return table;
}

const MetricDef* find_metric(std::string_view name) {
  for (const auto& m : key_metrics())
    if (m.name == name) return &m;
  return nullptr;
}

std::optional<double> metric_value(const Metrics& metrics, const MetricDef& def) {
  const MetricField* field = find_metric_field(def.pointer);
  if (!field) throw std::logic_error("key metric " + std::string(def.name) + " names no figure: " + std::string(def.pointer));
  if (!def.rss_source.empty() && metrics.summary.rss_source != def.rss_source) return std::nullopt;
  const auto v = field->get(metrics);
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return std::nullopt;
}

}  // namespace allocsim::sim
