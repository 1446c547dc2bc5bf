// `allocsim replay` as a library call: picks the backend and the engine,
// runs it, and assembles the Metrics (sim/metrics/metrics.hpp) from what the
// engine, the backend and the event recorder measured.
#include "sim/replay/replay.hpp"

#include <fmt/core.h>

#include <chrono>
#include <thread>

#include "sim/common/host_info.hpp"
#include "sim/replay/engines.hpp"
#include "sim/replay/worker.hpp"
#include "sim/common/trace_hash.hpp"
#include "traces/prefetch_reader.hpp"

namespace allocsim::sim {
namespace {

using Clock = std::chrono::steady_clock;

RunIdentity identity(const traces::EventReader& reader, const ReplayRequest& request, const BackendTraits& backend) {
  const traces::TraceInfo& info = reader.info();
  RunIdentity run;
  run.trace = request.trace.empty() ? info.path : request.trace;
  run.format = traces::format_name(info.format);
  run.trace_threads = info.threads;
  run.trace_has_time = info.has_time;
  if (request.backend == BackendKind::Core) {
    run.policy = request.config.policy;
    run.config_file = request.config.config_file;
  }
  run.config = backend.config;
  run.replay = replay_knob_values(request.config.replay);
  run.seed = request.config.replay.seed;
  run.time_scale = time_scale(request.config.replay, info);
  run.mode = to_string(request.mode);
  run.backend = backend.name;
  run.allocator = backend.identity;
  run.allocsim_version = ALLOCSIM_VERSION;
  for (int k = 0; k < traces::kAnomalyKinds; ++k)
    if (const std::uint64_t n = reader.anomalies().counts[k])
      run.anomalies.emplace_back(traces::anomaly_name(static_cast<traces::Anomaly>(k)), n);
  return run;
}

// What the backend and the event recorder counted, added to the summary
// the engine filled.
void add_backend_figures(const BackendTraits& traits, const BackendFigures& f, const EventRecorder& recorder,
                         Summary& s) {
  s.footprint_source = traits.footprint_source;
  s.fallback_allocations = f.fallbacks;
  if (f.fallbacks && f.class_allocations && *f.class_allocations)
    s.fallback_rate = static_cast<double>(*f.fallbacks) / static_cast<double>(*f.class_allocations);
  if (f.fallbacks) s.fallback_bursts = recorder.fallback_bursts();
  s.queue_grow_events = f.queue_grows;
  s.queue_reclaim_events = f.queue_reclaims;
  if (f.collector_units) {
    CollectorWork& w = s.collector_work ? *s.collector_work : s.collector_work.emplace();
    w.units = *f.collector_units;
    w.hash_ops = f.collector_hash_ops.value_or(0);
  }
}

// A threaded replay runs a thread per trace thread, plus the core's
// collector thread: on fewer CPUs they take turns, and what is measured
// (fallbacks, latency, the collector keeping up) is the scheduler's doing.
void describe_threaded_host(bool collector_thread, Metrics& m) {
  std::uint64_t busy_ns = 0;
  for (const auto& g : m.counters)
    for (const auto& [name, value] : g.values)
      if (g.name == "collector" && name == "busy_ns") busy_ns = value;
  const std::uint64_t threads = m.run.trace_threads + (collector_thread ? 1 : 0);
  m.host.oversubscribed = m.host.cpus > 0 && threads > m.host.cpus;
  if (collector_thread && m.host.wall_seconds > 0) m.host.collector_cpu_share = double(busy_ns) / (m.host.wall_seconds * 1e9);
  if (*m.host.oversubscribed)
    fmt::print(stderr,
               "allocsim replay: warning: {} replay threads{} on {} CPUs: the threads take turns, so the figures "
               "describe this host's scheduling as much as the allocator (docs/replay.md)\n",
               m.run.trace_threads, collector_thread ? " and the collector" : "", m.host.cpus);
}

// The recorded program's RSS samples on the replay's timeline: each trace
// sample belongs to the timeline sample by which the events before it had
// been replayed. A timeline sample shows the largest of its own, or else
// carries the last one before it; null before the first.
void add_recorded_rss(const std::vector<traces::RssSample>& recorded, Timeline& t) {
  if (recorded.empty()) return;
  t.recorded_rss_bytes.assign(t.time_ns.size(), std::nullopt);
  std::size_t next = 0;
  std::optional<std::uint64_t> last;
  for (std::size_t i = 0; i < t.time_ns.size(); ++i) {
    std::optional<std::uint64_t> own;
    for (; next < recorded.size() && recorded[next].events <= t.events[i]; ++next) {
      own = std::max(own.value_or(0), recorded[next].bytes);
      last = recorded[next].bytes;
    }
    t.recorded_rss_bytes[i] = own ? own : last;
  }
}

}  // namespace

double time_scale(const ReplayKnobs& knobs, const traces::TraceInfo& info) {
  if (knobs.time_scale > 0) return knobs.time_scale;
  return info.untraced_ratio();
}

void record_check(const std::optional<CheckOutcome>& check, Summary& s) {
  if (!check) return;
  s.check_ok = check->ok;
  if (!check->ok) s.check_report = check->summary;
}

void free_leftovers(ObjectTable& table, Backend& backend) {
  if (backend.traits().releases_everything || table.live_count() == 0) return;
  const auto thread = backend.attach_thread();
  table.for_each_live([&](ObjectTable::Slot& s) {
    void* p = s.ptr.load(std::memory_order_acquire);
    if (p && p != failed_allocation_marker()) thread->deallocate(p);
  });
}

Metrics replay(const ReplayRequest& request) {
  auto reader = traces::open_trace(request.trace, request.read);
  // A whole-trace replay reads on a second thread; a replay cut short by
  // max_events reads inline, so that the figures the reader counted stop
  // where the replay did.
  if (request.config.replay.max_events == 0) reader = traces::read_ahead(std::move(reader));
  const std::string hash = trace_file_hash(request.trace);
  Metrics m = replay(*reader, request);
  if (request.after_read) request.after_read(*reader);
  m.run.trace_hash = hash;
  return m;
}

Metrics replay(traces::EventReader& reader, const ReplayRequest& request) {
  const auto start = Clock::now();
  const ReplayKnobs& knobs = request.config.replay;
  const bool is_virtual = request.mode == ReplayMode::Virtual;
  EventRecorder recorder(knobs.event_log_limit, knobs.burst_gap_ns);  // outlives the backend: it observes the heap
  if (!is_virtual) recorder.use_wall_clock(start);
  std::unique_ptr<Backend> backend = request.backend == BackendKind::Core
                                         ? make_core_backend(request.config.allocator, request.mode, knobs.touch, recorder)
                                         : make_system_backend();
  Progress progress(request.progress, reader);
  Metrics m;
  if (is_virtual) run_virtual(reader, request, *backend, recorder, progress, m);
  else run_threaded(reader, request, *backend, recorder, progress, m);
  progress.finish();

  m.events = recorder.finish();  // first: it closes the last fallback burst
  add_recorded_rss(reader.info().rss_samples, m.timeline);
  m.run = identity(reader, request, backend->traits());
  BackendSnapshot report = backend->snapshot(BackendSnapshot::Detail::Report);
  add_backend_figures(backend->traits(), report.figures, recorder, m.summary);
  for (auto& g : report.counters) m.counters.push_back(std::move(g));
  m.classes = std::move(report.classes);
  m.host.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  m.host.events_per_second = m.host.wall_seconds > 0 ? static_cast<double>(m.summary.events) / m.host.wall_seconds : 0;
  m.host.final_rss_bytes = current_rss_bytes();
  m.host.cpus = std::thread::hardware_concurrency();
  if (!is_virtual) describe_threaded_host(request.backend == BackendKind::Core, m);
  return m;
}

}  // namespace allocsim::sim
