// `allocsim replay` as a library call: picks the backend and the engine,
// runs it, and assembles the Metrics (sim/metrics/metrics.hpp) from what the
// engine, the backend and the event recorder measured.
#include "sim/replay/replay.hpp"

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

RunIdentity identity(const traces::EventReader& reader, const ReplayRequest& request, const Backend& backend) {
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
  run.config = backend.config();
  run.replay = replay_knob_values(request.config.replay);
  run.seed = request.config.replay.seed;
  run.mode = mode_name(request.mode);
  run.backend = backend.name();
  run.allocator = backend.identity();
  run.allocsim_version = ALLOCSIM_VERSION;
  for (int k = 0; k < traces::kAnomalyKinds; ++k)
    if (const std::uint64_t n = reader.anomalies().counts[k])
      run.anomalies.emplace_back(traces::anomaly_name(static_cast<traces::Anomaly>(k)), n);
  return run;
}

Summary summarize(const EngineResult& r, Backend& backend, const EventRecorder& recorder, bool is_virtual) {
  Summary s;
  s.events = r.events;
  s.allocations = r.allocations;
  s.frees = r.frees;
  s.reallocs = r.ops[static_cast<int>(traces::Op::Realloc)];
  s.failed_allocations = r.failed_allocations;
  if (is_virtual) s.virtual_time_ns = r.end_ns;
  s.peak_live_bytes = r.peak_live_bytes;
  s.final_live_bytes = r.live_bytes;
  s.final_live_objects = r.live_objects;
  s.peak_footprint_bytes = r.peak_footprint;
  s.final_footprint_bytes = r.final_footprint;
  s.footprint_source = backend.footprint_source();
  s.peak_rss_bytes = r.peak_rss;
  s.final_rss_bytes = r.final_rss;
  s.rss_source = r.rss_simulated ? "simulated" : "measured";
  const BackendFigures f = backend.figures();
  s.fallback_allocations = f.fallbacks;
  if (f.fallbacks && f.class_allocations && *f.class_allocations)
    s.fallback_rate = static_cast<double>(*f.fallbacks) / static_cast<double>(*f.class_allocations);
  if (f.fallbacks) s.fallback_bursts = recorder.fallback_bursts();
  s.queue_grow_events = f.queue_grows;
  s.queue_reclaim_events = f.queue_reclaims;
  if (f.collector_units) {
    s.queue_bytes_peak = r.queue_bytes_peak;
    s.queue_bytes_final = r.queue_bytes_final;
    CollectorWork w;
    w.units = *f.collector_units;
    w.hash_ops = f.collector_hash_ops.value_or(0);
    if (is_virtual) {
      w.busy_ns = r.collector_busy_ns;
      if (r.end_ns) w.utilization = static_cast<double>(r.collector_busy_ns) / static_cast<double>(r.end_ns);
    }
    s.collector_work = w;
  }
  s.fragmentation = r.fragmentation;
  if (r.check) {
    s.check_ok = r.check->ok;
    if (!r.check->ok) s.check_report = r.check->summary;
  }
  return s;
}

std::vector<CounterGroup> counters(const EngineResult& r, const Backend& backend, std::uint32_t threads) {
  CounterGroup ops{"ops", {}};
  for (int op = 0; op < traces::kOpCount; ++op) ops.values.emplace_back(traces::op_name(static_cast<traces::Op>(op)), r.ops[op]);
  CounterGroup replay{"replay",
                      {{"events", r.events},
                       {"allocations", r.allocations},
                       {"frees", r.frees},
                       {"failed_allocations", r.failed_allocations},
                       {"threads", threads}}};
  if (r.throughput) replay.values.emplace_back("cross_thread_waits", r.throughput->cross_thread_waits);
  std::vector<CounterGroup> out{ops, replay};
  for (auto& g : backend.counters()) out.push_back(std::move(g));
  return out;
}

}  // namespace

void free_leftovers(ObjectTable& table, Backend& backend) {
  if (backend.releases_everything() || table.live_count() == 0) return;
  const auto thread = backend.attach_thread();
  table.for_each_live([&](ObjectTable::Slot& s) {
    void* p = s.ptr.load(std::memory_order_acquire);
    if (p && p != failed_allocation_marker()) thread->deallocate(p);
  });
}

std::string_view mode_name(ReplayMode m) { return m == ReplayMode::Virtual ? "virtual" : "threaded"; }
std::string_view backend_name(BackendKind b) { return b == BackendKind::Core ? "core" : "system"; }

Metrics replay(const ReplayRequest& request) {
  auto reader = traces::open_trace(request.trace, request.read);
  // A whole-trace replay reads on a second thread; a replay cut short by
  // max_events reads inline, so that the figures the reader counted stop
  // where the replay did.
  if (request.config.replay.max_events == 0) reader = traces::read_ahead(std::move(reader));
  const std::string hash = trace_file_hash(request.trace);
  Metrics m = replay(*reader, request);
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
  Progress progress(request.progress, request.trace);
  EngineResult r = is_virtual ? run_virtual(reader, request, *backend, recorder, progress)
                              : run_threaded(reader, request, *backend, recorder, progress);
  progress.finish();

  Metrics m;
  m.events = recorder.finish();  // first: it closes the last fallback burst
  m.run = identity(reader, request, *backend);
  m.summary = summarize(r, *backend, recorder, is_virtual);
  m.counters = counters(r, *backend, r.threads);
  m.classes = backend->classes(recorder);
  m.timeline = std::move(r.timeline);
  m.latency = r.latency;
  m.throughput = r.throughput;
  m.host.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  m.host.events_per_second = m.host.wall_seconds > 0 ? static_cast<double>(r.events) / m.host.wall_seconds : 0;
  m.host.peak_rss_bytes = peak_rss_bytes();
  m.host.final_rss_bytes = current_rss_bytes();
  m.host.timeline_rss_bytes = std::move(r.host_rss);
  m.host.cpus = std::thread::hardware_concurrency();
  return m;
}

}  // namespace allocsim::sim
