#pragma once
// What a replay measured: plain data, no formatting (metrics_json.cpp and
// metrics_csv.cpp print it; docs/metrics.md documents every field).
//
// Everything outside `host` is a function of (trace, config, seed) in
// virtual mode with the core backend: two runs give identical values.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace allocsim::sim {

inline constexpr const char* kMetricsSchema = "allocsim-metrics/2";
// Whether a document's "schema" names a metrics file this build reads.
inline bool is_metrics_schema(std::string_view schema) { return schema == kMetricsSchema; }

struct AllocatorIdentity {
  std::string name;     // "allocsim-core", "glibc", "jemalloc", "mimalloc", "tcmalloc"
  std::string version;  // allocsim's version for the core
  bool operator==(const AllocatorIdentity&) const = default;
};

using NamedValues = std::vector<std::pair<std::string, std::string>>;

struct RunIdentity {
  std::string trace;       // path as given
  std::string trace_hash;  // "xxh3-128:<32 hex digits>" of the file's bytes
  std::string format;
  std::uint32_t trace_threads = 0;
  bool trace_has_time = false;
  std::optional<std::string> policy;  // null for the system backend
  std::string config_file;            // "" when none
  NamedValues config;                 // every allocator knob (core backend only)
  NamedValues replay;                 // every replay knob
  std::uint64_t seed = 0;
  // Virtual mode: the trace's times were multiplied by this (the knob, or
  // the recording's untraced/traced wall-time ratio; 1 when unknown).
  double time_scale = 1;
  std::string mode;                   // "virtual" or "threaded"
  std::string backend;                // "core" or "system"
  AllocatorIdentity allocator;
  std::string allocsim_version;
  std::vector<std::pair<std::string, std::uint64_t>> anomalies;  // what the reader repaired, by kind
  bool operator==(const RunIdentity&) const = default;
};

// Johnstone & Wilson 1998, as excess over live bytes (0.25 = 25% more
// memory than requested); null when live bytes were 0 at the point.
struct Fragmentation {
  std::optional<double> jw1_time_average;     // footprint/live averaged over time
  std::optional<double> jw2_at_peak_live;     // at the point of peak live bytes
  std::optional<double> jw3_at_peak_footprint;  // at the point of peak footprint
  std::optional<double> jw4_peak_over_peak;   // peak footprint / peak live
  bool operator==(const Fragmentation&) const = default;
};

struct CollectorWork {
  std::uint64_t units = 0;     // chunks drained, queued or reclaimed
  std::uint64_t hash_ops = 0;  // merge-set lookups + inserts + erases
  std::optional<std::uint64_t> busy_ns;  // virtual mode: time the collector spent in steps; preload: its thread's busy time
  std::optional<double> utilization;     // busy_ns / virtual_time_ns (preload: / wall time since the heap was built)
  bool operator==(const CollectorWork&) const = default;
};

// Null marks a figure the mode or backend does not have (e.g. queues and
// fallbacks for the system backend, virtual time in threaded mode).
struct Summary {
  std::uint64_t events = 0, allocations = 0, frees = 0, reallocs = 0, failed_allocations = 0;
  std::optional<std::uint64_t> virtual_time_ns;  // virtual mode: when the replay (and the collector's drain) ended
  std::uint64_t peak_live_bytes = 0, final_live_bytes = 0, final_live_objects = 0;
  std::uint64_t peak_footprint_bytes = 0, final_footprint_bytes = 0;
  std::string footprint_source;  // "mapped" for the core; the statistic used for the system allocator
  // Simulated (virtual mode, core), or measured: the process's RSS above
  // host.baseline_rss_bytes (its RSS just before the first event).
  std::uint64_t peak_rss_bytes = 0, final_rss_bytes = 0;
  std::string rss_source;  // "simulated" or "measured"
  std::optional<std::uint64_t> fallback_allocations;
  std::optional<double> fallback_rate;  // fallbacks / size-class allocations
  std::optional<std::uint64_t> fallback_bursts;
  std::optional<std::uint64_t> queue_grow_events, queue_reclaim_events;
  std::optional<std::uint64_t> queue_bytes_peak, queue_bytes_final;  // memory held in ready queues
  std::optional<double> queue_bytes_mean;                            // its time average over the run
  std::optional<CollectorWork> collector_work;
  Fragmentation fragmentation;
  std::optional<bool> check_ok;              // null: the backend has no check()
  std::optional<std::string> check_report;   // only when the check failed
  bool operator==(const Summary&) const = default;
};

// A group of counters ("ops", "threads", "collector", "os") by name.
struct CounterGroup {
  std::string name;
  std::vector<std::pair<std::string, std::uint64_t>> values;
  bool operator==(const CounterGroup&) const = default;
};

struct ClassMetrics {
  std::uint32_t index = 0;
  std::uint64_t chunk_bytes = 0;
  std::uint64_t target = 0, peak_target = 0, queue_length = 0;
  std::uint64_t grow_events = 0, reclaim_events = 0, empty_findings = 0, full_findings = 0;
  std::uint64_t allocations = 0, fallbacks = 0;
  std::optional<std::uint64_t> cache_hits, queue_hits;  // virtual mode only (exact there)
  bool operator==(const ClassMetrics&) const = default;
};

struct LoggedEvent {
  std::uint64_t time_ns = 0;
  std::string kind;  // queue_grow, queue_reclaim, os_map, os_release, purge, fallback_burst, collector_sleep, collector_wake
  std::optional<std::uint32_t> size_class;
  std::optional<std::uint32_t> thread;  // the allocator's thread id; null for the collector
  std::uint64_t bytes = 0, count = 0, value = 0;
  std::optional<std::uint64_t> end_ns;  // fallback bursts: the last fallback
  bool operator==(const LoggedEvent&) const = default;
};

struct EventLog {
  std::vector<LoggedEvent> entries;                               // in time order
  std::vector<std::pair<std::string, std::uint64_t>> totals;      // every kind the allocator reports, counted
  std::vector<std::pair<std::string, std::uint64_t>> dropped;     // logged kinds past event_log_limit
  bool operator==(const EventLog&) const = default;
};

// Columnar: one element per sample. A sample covers the interval since the
// one before; `_max` is the interval's largest value, the plain column the
// value at the sample (sim/metrics/timeline.hpp).
struct Timeline {
  std::uint64_t period_ns = 0;
  std::vector<std::uint64_t> time_ns, events;
  std::vector<std::uint64_t> live_bytes, live_bytes_max, footprint_bytes, footprint_bytes_max, queue_bytes;
  std::vector<std::uint64_t> sim_rss_bytes, sim_rss_bytes_max;            // empty when not simulated
  std::vector<std::uint64_t> measured_rss_bytes, measured_rss_bytes_max;  // empty when not measured
  // The recorded program's RSS (the trace's own samples): the largest in the
  // interval, else the last one before it; empty when the trace has none.
  std::vector<std::optional<std::uint64_t>> recorded_rss_bytes;
  std::vector<std::optional<double>> fragmentation;  // footprint/live - 1 at the sample; null when live is 0
  std::vector<std::uint64_t> queue_classes;          // chunk bytes of each class in queue_targets
  std::vector<std::vector<std::uint64_t>> queue_targets;  // [sample][class]
  bool operator==(const Timeline&) const = default;
};

struct Latency {
  std::uint64_t samples = 0;
  double mean_ns = 0;
  std::uint64_t p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
};

// Threaded mode only.
struct Throughput {
  std::uint64_t operations = 0;
  double wall_seconds = 0;
  double ops_per_second = 0;
  std::uint64_t cross_thread_waits = 0;  // frees that had to wait for another thread's allocation
};

// Host-dependent figures, outside the determinism guarantee.
struct HostMetrics {
  double wall_seconds = 0;
  double events_per_second = 0;
  std::uint64_t baseline_rss_bytes = 0;  // the process's RSS just before the first event
  std::uint64_t peak_rss_bytes = 0;      // the process's peak RSS from the first event on
  std::uint64_t final_rss_bytes = 0;     // the process's RSS at the end
  std::vector<std::uint64_t> timeline_rss_bytes;  // the process's RSS at each timeline sample
  unsigned cpus = 0;
  // Threaded mode: more replay threads plus collector than CPUs, so the
  // threads take turns and the figures describe the host's scheduler as
  // much as the allocator (docs/replay.md).
  std::optional<bool> oversubscribed;
  std::optional<double> collector_cpu_share;  // the collector thread's busy time / the replay's wall time
};

struct Metrics {
  RunIdentity run;
  Summary summary;
  std::vector<CounterGroup> counters;
  std::vector<ClassMetrics> classes;
  EventLog events;
  Timeline timeline;
  std::optional<Latency> latency;        // threaded mode
  std::optional<Throughput> throughput;  // threaded mode
  HostMetrics host;
};

}  // namespace allocsim::sim
