// Deterministic replay: one OS thread drives every trace thread in trace
// order on a virtual clock, and runs the collector in stepped mode on the
// same clock.
//
// Clock: an event happens at its trace timestamp (never before the one
// before it), or event_cost_ns after the previous event when the trace has
// none. The collector is a second actor on that clock: a step starts when
// the collector is due, does up to collector_budget units of work, and
// keeps the collector busy for a cost computed from what it did
// (docs/replay.md); events that fall inside that time find the queues as
// the step left them. When a step finds nothing to do the collector
// sleeps; the free (or starving allocation) that wakes it schedules its
// next step wake_latency_ns later. Timeline samples come before steps and
// events due at the same instant; each carries the largest live bytes,
// footprint and RSS of its interval, which the engine (live bytes, after
// every birth) and the backend (every map and touch) see change.
#include <algorithm>
#include <cmath>
#include <random>

#include "sim/metrics/fragmentation.hpp"
#include "sim/common/host_info.hpp"
#include "sim/common/process_rss.hpp"
#include "sim/metrics/time_average.hpp"
#include "sim/replay/engines.hpp"
#include "sim/replay/ledger.hpp"
#include "sim/metrics/timeline.hpp"

namespace allocsim::sim {
namespace {

using traces::Event;
using traces::Op;

constexpr std::uint64_t kNever = ~std::uint64_t{0};
// Events ahead whose dying object's header is fetched into the cache, so
// that the free finds it there (about the latency of a miss in events).
constexpr std::size_t kLookahead = 16;
// The finest automatic sampling period: a few events without timestamps.
constexpr std::uint64_t kFinestPeriodNs = 1000;

class VirtualReplay {
 public:
  VirtualReplay(traces::EventReader& reader, const ReplayRequest& request, Backend& backend, EventRecorder& recorder,
                Progress& progress)
      : reader_(reader),
        knobs_(request.config.replay),
        backend_(backend),
        recorder_(recorder),
        progress_(progress),
        ledger_(request.trace),
        timeline_(timeline_plan(knobs_.sample_period_ns, knobs_.max_samples, kFinestPeriodNs),
                  backend.traits().queue_classes),
        rng_(knobs_.seed),
        cheap_footprint_(backend.traits().footprint_is_cheap),
        time_scale_(time_scale(knobs_, reader.info())),
        nap_ns_(request.config.allocator.collector_nap_us * 1000),
        budget_(knobs_.collector_budget ? knobs_.collector_budget : request.config.allocator.step_budget),
        collector_at_(backend.traits().stepped_collector ? 0 : kNever) {}

  void run(Metrics& m);

 private:
  void apply(const Event& e);
  void prefetch_dying(const Event& e);
  void allocate(BackendThread& t, const Event& e);
  void free(BackendThread& t, const Event& e);
  void reallocate(BackendThread& t, const Event& e);
  void born(const Event& e, void* p);
  void advance_to(std::uint64_t t);
  void step();
  void sample(std::uint64_t t);
  Gauge measured(const ProcessRss::Reading& r) const { return {rss_.above_baseline(r.max), rss_.above_baseline(r.now)}; }
  void wake() {
    collector_at_ = std::min(collector_at_, now_ + knobs_.wake_latency_ns);
    next_stop_ = std::min(next_stop_, collector_at_);
  }
  void drain();
  std::uint64_t step_cost(const allocator::StepResult& s);
  std::uint64_t scaled(std::uint64_t time) const {
    return time_scale_ == 1 ? time : static_cast<std::uint64_t>(std::llround(double(time) * time_scale_));
  }

  traces::EventReader& reader_;
  const ReplayKnobs& knobs_;
  Backend& backend_;
  EventRecorder& recorder_;
  Progress& progress_;
  ReplayLedger ledger_;
  std::vector<std::unique_ptr<BackendThread>> threads_;
  TimelineRecorder timeline_;
  IntervalMax live_max_, footprint_max_, sim_rss_max_;
  TimeAverage queued_;
  ProcessRss rss_;
  FragmentationTracker frag_;
  std::mt19937_64 rng_;
  const bool cheap_footprint_;
  const double time_scale_;     // the trace's times are multiplied by this (replay.hpp)
  const std::uint64_t nap_ns_;  // the collector's nap after an idle pass (collector_nap_us)
  // Work units per step: by default the threaded collector's, since the
  // collector judges starving queues and takes the threads' bins once per
  // step, and the step's size sets how often that happens.
  const std::uint64_t budget_;
  bool napped_ = false;         // the last step was idle and the collector naps before it may sleep
  std::uint64_t now_ = 0;
  std::uint64_t applied_ = 0;         // events applied (the index of the one being applied)
  std::uint64_t last_footprint_ = 0;  // at the last sample
  std::uint64_t collector_at_;      // when the collector's next step starts; kNever while it sleeps
  std::uint64_t next_stop_ = 0;     // min(collector_at_, next sample): the event loop's only check
  std::uint64_t last_step_end_ = 0;
  std::uint64_t busy_ = 0, failed_ = 0, queue_peak_ = 0;
};

void VirtualReplay::run(Metrics& m) {
  std::vector<Event> batch(4096);
  const std::uint64_t limit = knobs_.max_events ? knobs_.max_events : ~std::uint64_t{0};
  while (applied_ < limit) {
    const std::size_t n = std::min<std::uint64_t>(reader_.read(batch), limit - applied_);
    if (n == 0) break;
    if (applied_ == 0) rss_.start();  // just before the first event: the replayer and its reader are resident
    for (std::size_t i = 0; i < n; ++i) {
      if (i + kLookahead < n) prefetch_dying(batch[i + kLookahead]);
      ledger_.set_index(applied_);
      apply(batch[i]);
      ++applied_;
    }
    progress_.update(applied_);
  }
  if (applied_ == 0) rss_.start();  // an empty trace
  drain();
  const std::uint64_t end = std::max(now_, last_step_end_);
  sample(end);  // the end: merged into a sample already taken at this instant

  Summary& s = m.summary;
  ledger_.report(applied_, failed_, std::nullopt, m);
  s.virtual_time_ns = end;
  const BackendSnapshot last = backend_.snapshot(BackendSnapshot::Detail::Moment);
  s.final_footprint_bytes = last_footprint_;  // as the last sample saw it: the replay's own mallocs since count for the system backend
  frag_.observe(end, ledger_.live(), s.final_footprint_bytes);
  s.peak_footprint_bytes = last.peak_footprint.value_or(frag_.peak_footprint());
  if (!backend_.traits().queue_classes.empty()) {
    s.queue_bytes_final = last.queue_bytes;
    s.queue_bytes_peak = std::max(queue_peak_, last.queue_bytes);
    s.queue_bytes_mean = queued_.mean();
  }
  if (backend_.traits().stepped_collector) {
    CollectorWork& w = s.collector_work.emplace();
    w.busy_ns = busy_;
    if (end) w.utilization = static_cast<double>(busy_) / static_cast<double>(end);
  }
  s.fragmentation = frag_.result(end);
  if (const auto rss = last.simulated_rss) {
    s.rss_source = "simulated";
    s.final_rss_bytes = *rss;
    s.peak_rss_bytes = last.peak_simulated_rss.value_or(*rss);
    rss_.take();  // for the host section only: the timeline's RSS is simulated
  } else {
    s.rss_source = "measured";  // as the last sample saw it
    s.final_rss_bytes = rss_.above_baseline(rss_.last().now);
    s.peak_rss_bytes = rss_.above_baseline(rss_.peak());
  }
  m.host.baseline_rss_bytes = rss_.baseline();
  m.host.peak_rss_bytes = rss_.peak();
  record_check(backend_.check(), s);  // with every thread still attached, as the trace left them
  threads_.clear();
  free_leftovers(ledger_.table(), backend_);
  m.timeline = timeline_.timeline();
  m.host.timeline_rss_bytes = timeline_.host_rss();
}

void VirtualReplay::apply(const Event& e) {
  const std::uint64_t t = e.time != traces::kNoTime ? std::max(scaled(e.time), now_)
                          : ledger_.threads() == 0  ? 0
                                                    : now_ + knobs_.event_cost_ns;
  if (t >= next_stop_) advance_to(t);
  now_ = t;
  recorder_.set_now(t);
  if (ledger_.event(e)) threads_.push_back(backend_.attach_thread());
  BackendThread& thread = *threads_[e.thread];
  switch (e.op) {
    case Op::Free: free(thread, e); break;
    case Op::Realloc: reallocate(thread, e); break;
    default: allocate(thread, e); break;
  }
  if (recorder_.take_wake()) wake();
  if (cheap_footprint_) frag_.observe(now_, ledger_.live(), backend_.footprint());
}

// A free reads the chunk header in front of the object, which has usually
// left the cache since the object was born: a miss that the trace lets us
// see coming. Only a hint: the object may die or move before its turn.
void VirtualReplay::prefetch_dying(const Event& e) {
  const std::uint64_t id = e.op == Op::Free ? e.id : e.old_id;
  if (id == traces::kNoObject) return;
  if (const ObjectTable::Slot* s = ledger_.table().find(id))
    if (const void* p = s->ptr.load(std::memory_order_relaxed)) __builtin_prefetch(static_cast<const char*>(p) - 8);
}

void VirtualReplay::born(const Event& e, void* p) {
  if (!p) ++failed_;
  ledger_.born(e).ptr.store(p, std::memory_order_relaxed);
  live_max_.see(ledger_.live());
}

void VirtualReplay::allocate(BackendThread& t, const Event& e) {
  const std::uint32_t align = e.op == Op::Memalign ? replay_alignment(e.align) : 0;
  const Op op = e.op == Op::Memalign && align == 0 ? Op::Malloc : e.op;
  born(e, t.allocate(op, e.size, align));
}

void VirtualReplay::free(BackendThread& t, const Event& e) {
  ObjectTable::Slot& s = ledger_.dying(e);
  void* p = s.ptr.load(std::memory_order_relaxed);
  ledger_.die(s, e.id);
  if (p) t.deallocate(p);
  if (ledger_.table().has_dead_pages())
    for (const std::uint64_t page : ledger_.table().take_dead_pages()) ledger_.table().release_page(page);
}

// realloc(p, n): a size of 0 with a new object born means the recorded
// realloc returned a fresh minimal block; a failed realloc keeps p, which
// the trace says died, so it is freed.
void VirtualReplay::reallocate(BackendThread& t, const Event& e) {
  void* p = nullptr;
  std::uint64_t old_size = 0;
  if (e.old_id != traces::kNoObject) {
    ObjectTable::Slot& s = ledger_.dying(e);
    p = s.ptr.load(std::memory_order_relaxed);
    old_size = ledger_.die(s, e.old_id);
  }
  void* q = nullptr;
  if (e.size == 0 || !p) {
    if (p) t.deallocate(p);
    q = e.size ? t.reallocate(nullptr, 0, e.size) : t.allocate(Op::Malloc, 0, 0);
  } else {
    q = t.reallocate(p, old_size, e.size);
    if (!q) t.deallocate(p);
  }
  born(e, q);
}

void VirtualReplay::advance_to(std::uint64_t t) {
  for (;;) {
    const std::uint64_t due = timeline_.next_due();
    if (due <= t && due <= collector_at_) sample(due);
    else if (collector_at_ <= t) step();
    else break;
  }
  next_stop_ = std::min(timeline_.next_due(), collector_at_);
}

std::uint64_t VirtualReplay::step_cost(const allocator::StepResult& s) {
  std::uint64_t cost = knobs_.step_cost_ns + (s.pass_completed ? knobs_.pass_cost_ns : 0) +
                       s.units * knobs_.chunk_cost_ns + s.hash_ops * knobs_.hash_op_cost_ns +
                       s.sorted_chunks * knobs_.sort_cost_ns + s.blocks_mapped * knobs_.map_cost_ns +
                       s.purges * knobs_.purge_cost_ns;
  if (const std::uint64_t j = knobs_.jitter_percent) cost = cost * (100 - j + rng_() % (2 * j + 1)) / 100;
  return std::max<std::uint64_t>(cost, 1);  // time always moves on
}

void VirtualReplay::step() {
  const std::uint64_t start = collector_at_;
  recorder_.set_now(start);
  // As the threaded collector does: after an idle pass it naps with its
  // sleeping flag down (frees do not wake it) and looks again; only an idle
  // pass after the nap sleeps.
  const std::uint64_t queued_before = backend_.queue_bytes();
  const allocator::StepResult s = backend_.step_collector(budget_, start, napped_ || nap_ns_ == 0);
  // Queued bytes only grow by the collector's pushes: read after every step,
  // they give the peak and, with the reading before it, the time average.
  const std::uint64_t queued_after = backend_.queue_bytes();
  queued_.knot(start, queued_before, queued_after);
  queue_peak_ = std::max(queue_peak_, queued_after);
  const std::uint64_t cost = step_cost(s);
  busy_ += cost;
  last_step_end_ = start + cost;
  if (cheap_footprint_) frag_.observe(start, ledger_.live(), backend_.footprint());
  // Asleep until woken, or until a queue's reclaim falls due.
  if (!s.idle) {
    napped_ = false;
    collector_at_ = start + cost;
  } else if (!napped_ && nap_ns_) {
    napped_ = true;
    collector_at_ = start + cost + nap_ns_;
  } else {
    napped_ = false;
    collector_at_ = s.wake_at_ns == allocator::kNoWake ? kNever : std::max(s.wake_at_ns, start + cost);
  }
  recorder_.set_now(now_);
}

void VirtualReplay::sample(std::uint64_t t) {
  BackendSnapshot now = backend_.snapshot(BackendSnapshot::Detail::Moment);
  TimelineSample s;
  s.time_ns = t;
  s.events = applied_;
  s.live = live_max_.take(ledger_.live());
  last_footprint_ = now.footprint;
  if (const auto peaks = backend_.take_window_peaks()) {
    footprint_max_.see(peaks->footprint);
    sim_rss_max_.see(peaks->rss);
  }
  s.footprint = footprint_max_.take(now.footprint);
  if (now.simulated_rss) {
    s.sim_rss = sim_rss_max_.take(*now.simulated_rss);
    s.host_rss_bytes = current_rss_bytes();
  } else {
    const ProcessRss::Reading r = rss_.take();
    s.measured_rss = measured(r);
    s.host_rss_bytes = r.now;
  }
  s.queue_bytes = now.queue_bytes;
  s.queue_targets = std::move(now.queue_targets);
  if (!cheap_footprint_) frag_.observe(t, s.live.end, now.footprint);
  queue_peak_ = std::max(queue_peak_, s.queue_bytes);
  queued_.knot(t, s.queue_bytes);
  timeline_.add(std::move(s));
}

// At the end of the trace every thread hands back what it holds, and the
// collector works on (on the clock) until it sleeps, twice: the first
// round's merges can free blocks that only a second look releases. A
// collector that never sleeps is stopped drain_ns after the last event.
void VirtualReplay::drain() {
  const std::uint64_t deadline = now_ + knobs_.drain_ns;
  for (int round = 0; round < 2; ++round) {
    for (auto& t : threads_) t->flush();
    if (recorder_.take_wake()) wake();
    while (collector_at_ <= deadline) {
      now_ = std::max(now_, collector_at_);
      advance_to(collector_at_);
    }
  }
}

}  // namespace

void run_virtual(traces::EventReader& reader, const ReplayRequest& request, Backend& backend, EventRecorder& recorder,
                 Progress& progress, Metrics& m) {
  VirtualReplay(reader, request, backend, recorder, progress).run(m);
}

}  // namespace allocsim::sim
