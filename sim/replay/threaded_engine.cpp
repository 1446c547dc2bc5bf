// Threaded replay: one OS thread per trace thread (sim/replay/worker.hpp),
// with the allocator's real concurrency (the core's collector thread runs
// on its own), as fast as the threads can go: trace timestamps are not
// waited for.
//
// The calling thread is the dispatcher: it reads the trace in order (in
// batches, never the whole trace), keeps the trace's bookkeeping
// (sim/replay/ledger.hpp) and routes each event to its thread's bounded
// queue. A cross-thread free waits in its replay thread until the
// allocation has happened, as glibc's trace_run waits at its sync points.
// Since the dispatcher checks the trace in order, every wait is for an
// earlier event, so a valid trace cannot deadlock; a free that no
// allocation can satisfy is rejected by the dispatcher (ReplayError), and
// a watchdog turns any stall into a ReplayError instead of a hang.
//
// A sampler thread takes a timeline sample every sample_period_ns of wall
// time. Live bytes are the trace's (as the dispatcher hands events out, at
// most queue_events per thread ahead of the replay threads): the dispatcher
// raises a shared interval maximum that the sampler takes, so the timeline
// holds the summary's peak. Footprint and RSS maxima come from running
// peaks (sim/metrics/timeline.hpp, sim/common/process_rss.hpp).
#include <algorithm>
#include <condition_variable>
#include <fmt/format.h>
#include <mutex>
#include <thread>

#include "sim/metrics/fragmentation.hpp"
#include "sim/common/host_info.hpp"
#include "sim/common/process_rss.hpp"
#include "sim/metrics/time_average.hpp"
#include "sim/replay/engines.hpp"
#include "sim/replay/ledger.hpp"
#include "sim/replay/worker.hpp"
#include "sim/metrics/timeline.hpp"

namespace allocsim::sim {
namespace {

using traces::Event;
using traces::Op;
using Clock = std::chrono::steady_clock;

// The finest automatic sampling period of wall time: each sample reads
// /proc three times (some 20 us), so finer would take a core from the replay.
constexpr std::uint64_t kFinestPeriodNs = 250'000;

class ThreadedReplay {
 public:
  ThreadedReplay(traces::EventReader& reader, const ReplayRequest& request, Backend& backend, Progress& progress)
      : reader_(reader),
        knobs_(request.config.replay),
        backend_(backend),
        progress_(progress),
        ledger_(request.trace),
        trace_(request.trace.empty() ? reader.info().path : request.trace),
        timeline_(timeline_plan(knobs_.sample_period_ns, knobs_.max_samples, kFinestPeriodNs), {}) {}

  void run(Metrics& m);

 private:
  void dispatch(const Event& e);
  void push(ReplayWorker& w, const ReplayMessage& m);
  void release_dead_pages(bool all_done);
  void wait_for_workers();
  std::uint64_t progress_count();
  void watchdog(std::uint64_t& last_progress, Clock::time_point& since);
  [[noreturn]] void stalled();
  void sampler();
  void sample(std::uint64_t time_ns);
  void published_live(std::uint64_t live);
  std::uint64_t wall_ns() const {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count());
  }

  traces::EventReader& reader_;
  const ReplayKnobs& knobs_;
  Backend& backend_;
  Progress& progress_;
  ReplayLedger ledger_;
  const std::string trace_;
  std::uint64_t dispatched_ = 0;
  std::atomic<bool> abort_{false};
  std::mutex workers_mutex_;  // the sampler reads the list while the dispatcher grows it
  std::vector<std::unique_ptr<ReplayWorker>> workers_;
  std::vector<std::uint64_t> pushed_;  // messages pushed per worker
  struct DeadPage {
    std::uint64_t page;
    std::vector<std::uint64_t> pushed;  // per worker when the page died
  };
  std::vector<DeadPage> dead_pages_;
  Clock::time_point start_ = Clock::now();
  // Written by the dispatcher, read by the sampler: the trace's live bytes
  // now, their largest value since the sampler last took it, events dispatched.
  std::atomic<std::uint64_t> live_now_{0}, live_max_{0}, events_now_{0};
  TimelineRecorder timeline_;  // the sampler's until it is joined, like the figures below
  IntervalMax footprint_max_;
  TimeAverage queued_;
  ProcessRss rss_;
  FragmentationTracker frag_;
  std::uint64_t sampled_peak_footprint_ = 0, queue_peak_ = 0, last_footprint_ = 0;
  std::mutex sampler_mutex_;
  std::condition_variable sampler_cv_;
  bool sampler_stop_ = false;
};

void ThreadedReplay::run(Metrics& m) {
  std::vector<Event> batch(4096);
  const std::uint64_t limit = knobs_.max_events ? knobs_.max_events : ~std::uint64_t{0};
  std::size_t n = std::min<std::uint64_t>(reader_.read(batch), limit);
  rss_.start();  // just before the first event: the replayer and its reader are resident
  start_ = Clock::now();
  std::thread sampler_thread([this] { sampler(); });
  std::uint64_t index = 0;
  try {
    while (n > 0) {
      for (std::size_t i = 0; i < n; ++i) {
        ledger_.set_index(index++);
        dispatch(batch[i]);
      }
      release_dead_pages(false);
      progress_.update(index);
      n = index < limit ? std::min<std::uint64_t>(reader_.read(batch), limit - index) : 0;
    }
    for (auto& w : workers_) w->queue().close();
    wait_for_workers();
  } catch (...) {
    abort_.store(true);
    for (auto& w : workers_) w->queue().close();
    {
      std::lock_guard lock(sampler_mutex_);
      sampler_stop_ = true;
    }
    sampler_cv_.notify_all();
    sampler_thread.join();
    workers_.clear();  // joins
    throw;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  {
    std::lock_guard lock(sampler_mutex_);
    sampler_stop_ = true;
  }
  sampler_cv_.notify_all();
  sampler_thread.join();
  for (auto& w : workers_) w->join();
  release_dead_pages(true);
  backend_.quiesce();
  sample(wall_ns());

  LatencyHistogram latency;
  Throughput& t = m.throughput.emplace();
  std::uint64_t failed = 0;
  for (const auto& w : workers_) {
    latency = latency + w->latency();
    t.cross_thread_waits += w->waits();
    failed += w->failed();
  }
  m.latency = latency.summary();
  t.operations = latency.samples();
  t.wall_seconds = seconds;
  t.ops_per_second = seconds > 0 ? static_cast<double>(t.operations) / seconds : 0;
  Summary& s = m.summary;
  ledger_.report(index, failed, t.cross_thread_waits, m);
  const BackendSnapshot last = backend_.snapshot(BackendSnapshot::Detail::Moment);
  // As the last sample saw them: the replay's own mallocs since count in a system allocator's footprint.
  s.final_footprint_bytes = last_footprint_;
  s.peak_footprint_bytes = last.peak_footprint.value_or(sampled_peak_footprint_);
  if (!backend_.traits().queue_classes.empty()) {
    s.queue_bytes_final = last.queue_bytes;
    s.queue_bytes_peak = std::max(queue_peak_, last.queue_bytes);
    s.queue_bytes_mean = queued_.mean();
  }
  s.fragmentation = frag_.result(timeline_.last_time());
  s.rss_source = "measured";
  s.final_rss_bytes = rss_.above_baseline(rss_.last().now);
  s.peak_rss_bytes = rss_.above_baseline(rss_.peak());
  m.host.baseline_rss_bytes = rss_.baseline();
  m.host.peak_rss_bytes = rss_.peak();
  record_check(backend_.check(), s);
  free_leftovers(ledger_.table(), backend_);
  m.timeline = timeline_.timeline();
  m.host.timeline_rss_bytes = timeline_.host_rss();
}

void ThreadedReplay::dispatch(const Event& e) {
  if (ledger_.event(e)) {
    auto w = std::make_unique<ReplayWorker>(e.thread, knobs_.queue_events, backend_, knobs_.touch, abort_);
    w->start();
    std::lock_guard lock(workers_mutex_);
    workers_.push_back(std::move(w));
    pushed_.push_back(0);
  }
  ReplayMessage m;
  m.op = e.op;
  m.size = e.size;
  if (const std::uint64_t dying = e.dying(); dying != traces::kNoObject) {
    ObjectTable::Slot& s = ledger_.dying(e);
    m.dying = &s;
    m.dying_id = dying;
    m.dying_size = ledger_.die(s, dying);
  }
  if (e.allocates()) {
    m.born = &ledger_.born(e);
    if (e.op == Op::Memalign) {
      m.align = replay_alignment(e.align);
      if (m.align == 0) m.op = Op::Malloc;
    }
  }
  published_live(ledger_.live());
  push(*workers_[e.thread], m);
  ++pushed_[e.thread];
  events_now_.store(++dispatched_, std::memory_order_relaxed);
}

// Every value the trace's live bytes take lands in some interval's maximum:
// a rise that comes after the sampler reset the maximum raises the new one.
void ThreadedReplay::published_live(std::uint64_t live) {
  live_now_.store(live, std::memory_order_relaxed);
  std::uint64_t max = live_max_.load(std::memory_order_relaxed);
  while (live > max && !live_max_.compare_exchange_weak(max, live, std::memory_order_relaxed)) {
  }
}

void ThreadedReplay::push(ReplayWorker& w, const ReplayMessage& m) {
  if (w.queue().push(m)) [[likely]] return;
  Backoff backoff;
  std::uint64_t last = progress_count();
  Clock::time_point since = Clock::now();
  while (!w.queue().push(m)) {
    backoff.pause();
    watchdog(last, since);
  }
}

// A page of the object table whose objects have all died is unmapped once
// every thread has executed every message pushed before it died.
void ThreadedReplay::release_dead_pages(bool all_done) {
  for (const std::uint64_t page : ledger_.table().take_dead_pages()) dead_pages_.push_back({page, pushed_});
  auto released = [&](const DeadPage& d) {
    for (std::size_t i = 0; i < d.pushed.size(); ++i)
      if (!all_done && workers_[i]->done() < d.pushed[i]) return false;
    ledger_.table().release_page(d.page);
    return true;
  };
  dead_pages_.erase(std::remove_if(dead_pages_.begin(), dead_pages_.end(), released), dead_pages_.end());
}

std::uint64_t ThreadedReplay::progress_count() {
  std::uint64_t n = 0;
  for (const auto& w : workers_) n += w->done();
  return n;
}

void ThreadedReplay::wait_for_workers() {
  std::uint64_t last = progress_count();
  Clock::time_point since = Clock::now();
  for (;;) {
    const bool all = std::all_of(workers_.begin(), workers_.end(), [](const auto& w) { return w->finished(); });
    if (all) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    watchdog(last, since);
  }
}

void ThreadedReplay::watchdog(std::uint64_t& last, Clock::time_point& since) {
  const std::uint64_t now = progress_count();
  if (now != last) {
    last = now;
    since = Clock::now();
  } else if (Clock::now() - since > std::chrono::milliseconds(knobs_.stall_timeout_ms)) {
    stalled();
  }
}

void ThreadedReplay::stalled() {
  std::string waits;
  for (const auto& w : workers_)
    if (const std::uint64_t id = w->waiting_on(); id != kNotWaiting)
      waits += fmt::format("; thread {} waits for the allocation of object {}", w->index(), id);
  throw ReplayError(fmt::format("{}: threaded replay made no progress for {} ms ({} of {} dispatched events done){}",
                                trace_, knobs_.stall_timeout_ms, progress_count(), dispatched_,
                                waits.empty() ? " and no thread is waiting for an allocation: the allocator is stuck"
                                              : waits));
}

void ThreadedReplay::sampler() {
  std::unique_lock lock(sampler_mutex_);
  for (;;) {
    const auto due = start_ + std::chrono::nanoseconds(timeline_.next_due());
    if (sampler_cv_.wait_until(lock, due, [&] { return sampler_stop_; })) return;
    sample(wall_ns());
  }
}

void ThreadedReplay::sample(std::uint64_t time_ns) {
  TimelineSample s;
  s.time_ns = time_ns;
  s.events = events_now_.load(std::memory_order_relaxed);
  s.live.end = live_now_.load(std::memory_order_relaxed);
  s.live.max = std::max(live_max_.exchange(s.live.end, std::memory_order_relaxed), s.live.end);
  const BackendSnapshot now = backend_.snapshot(BackendSnapshot::Detail::Moment);
  if (now.peak_footprint) footprint_max_.see_peak(*now.peak_footprint);
  s.footprint = footprint_max_.take(last_footprint_ = now.footprint);
  s.queue_bytes = now.queue_bytes;
  const ProcessRss::Reading r = rss_.take();
  s.measured_rss = Gauge{rss_.above_baseline(r.max), rss_.above_baseline(r.now)};
  s.host_rss_bytes = r.now;
  sampled_peak_footprint_ = std::max(sampled_peak_footprint_, s.footprint.max);
  queue_peak_ = std::max(queue_peak_, s.queue_bytes);
  queued_.knot(time_ns, s.queue_bytes);
  frag_.observe(time_ns, s.live.end, s.footprint.end);
  timeline_.add(std::move(s));
}

}  // namespace

void run_threaded(traces::EventReader& reader, const ReplayRequest& request, Backend& backend, EventRecorder&,
                  Progress& progress, Metrics& m) {
  ThreadedReplay(reader, request, backend, progress).run(m);
}

}  // namespace allocsim::sim
