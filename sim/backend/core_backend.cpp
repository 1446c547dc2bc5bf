// The replay backend for the ready-queue core (allocator/): one Heap under
// the run's Config, one ThreadHeap per replayed thread. In virtual mode the
// collector is stepped by the engine and an OS layer wrapper counts the
// simulated RSS; in threaded mode the real collector thread runs.
//
// Per size class, the core counts what each allocation did itself
// (Heap::class_counts), in both modes: the replay only translates.
#include "allocator/collector.hpp"
#include "allocator/heap.hpp"
#include "allocator/thread_heap.hpp"
#include "sim/backend/backend.hpp"
#include "sim/metrics/core_metrics.hpp"
#include "sim/metrics/event_recorder.hpp"
#include "sim/backend/sim_os.hpp"

namespace allocsim::sim {
namespace {

namespace al = allocsim::allocator;
using traces::Op;

class CoreBackend;

class CoreThread final : public BackendThread {
 public:
  explicit CoreThread(CoreBackend& backend);
  void* allocate(Op op, std::uint64_t size, std::uint32_t align) override;
  void* reallocate(void* p, std::uint64_t old_size, std::uint64_t size) override;
  void deallocate(void* p) override { heap_.deallocate(p); }
  void flush() override { heap_.flush(); }

 private:
  void touch(const void* p, std::uint64_t size, bool whole);

  CoreBackend& b_;
  al::ThreadHeap heap_;
};

class CoreBackend final : public Backend {
 public:
  CoreBackend(const al::Config& config, ReplayMode mode, Touch touch, EventRecorder& recorder)
      : virtual_(mode == ReplayMode::Virtual),
        touch_(touch),
        sim_os_(virtual_ ? std::make_unique<SimulatedOs>(al::system_os()) : nullptr),
        heap_(config, al::HeapOptions{.mode = virtual_ ? al::CollectorMode::Stepped : al::CollectorMode::Threaded,
                                      .os = sim_os_.get(),
                                      .observer = &recorder,
                                      .clock = virtual_ ? &clock_ : nullptr}),
        traits_{.name = "core",
                .identity = {"allocsim-core", ALLOCSIM_VERSION},
                .config = al::knob_values(heap_.config()),
                .footprint_source = "mapped",
                .footprint_is_cheap = true,
                .releases_everything = true,
                .stepped_collector = virtual_,
                .queue_classes = {}} {
    for (std::uint32_t c = 0; c < heap_.classes().count(); ++c) traits_.queue_classes.push_back(heap_.classes().size(c));
  }

  const BackendTraits& traits() const override { return traits_; }
  std::unique_ptr<BackendThread> attach_thread() override { return std::make_unique<CoreThread>(*this); }
  std::uint64_t footprint() override { return heap_.mapped_bytes(); }
  BackendSnapshot snapshot(BackendSnapshot::Detail detail) override;
  std::uint64_t queue_bytes() override { return heap_.queue_bytes(); }
  std::optional<WindowPeaks> take_window_peaks() override {
    if (!sim_os_) return std::nullopt;
    const SimulatedOs::Peaks p = sim_os_->take_peaks();
    return WindowPeaks{p.mapped, p.resident};
  }

  al::StepResult step_collector(std::uint64_t budget, std::uint64_t now_ns, bool may_sleep) override {
    clock_.set(now_ns);
    return heap_.collector().step(budget, may_sleep);
  }
  void quiesce() override {
    if (virtual_) return;
    heap_.collector().stop_thread();
    heap_.collector().run_until_idle();
  }
  std::optional<CheckOutcome> check() const override {
    const al::CheckReport r = heap_.check();
    return CheckOutcome{r.ok, r.summary()};
  }

 private:
  friend class CoreThread;
  std::vector<ClassMetrics> classes() const;
  BackendFigures figures(const al::HeapStats& s) const;

  const bool virtual_;
  const Touch touch_;
  std::unique_ptr<SimulatedOs> sim_os_;
  al::ManualClock clock_;  // virtual mode: the replay's virtual time
  al::Heap heap_;
  BackendTraits traits_;
};

CoreThread::CoreThread(CoreBackend& backend) : b_(backend), heap_(backend.heap_) {}

void* CoreThread::allocate(Op op, std::uint64_t size, std::uint32_t align) {
  const bool aligned = op == Op::Memalign && align > al::kUnit;
  void* p = op == Op::Calloc ? heap_.allocate_zeroed(size)
            : aligned        ? heap_.allocate_aligned(size, align)
                             : heap_.allocate(size);
  if (p && b_.sim_os_) {
    // calloc zeroes a class chunk with memset; a dedicated mapping comes zeroed.
    const bool zeroed = op == Op::Calloc && al::SizeClasses::chunk_for(size) <= b_.heap_.classes().largest();
    touch(p, size, zeroed);
  }
  return p;
}

void* CoreThread::reallocate(void* p, std::uint64_t old_size, std::uint64_t size) {
  void* q = heap_.reallocate(p, size);
  if (q && b_.sim_os_) {
    touch(q, size, false);
    if (p && q != p) b_.sim_os_->touch(q, std::min(old_size, size));  // the copy
  }
  return q;
}

void CoreThread::touch(const void* p, std::uint64_t size, bool whole) {
  const char* payload = static_cast<const char*>(p);
  const char* header = payload - al::kHeaderBytes;
  std::uint64_t bytes = al::kHeaderBytes;
  if (whole || b_.touch_ == Touch::Pages || b_.touch_ == Touch::All) bytes += size;
  else if (b_.touch_ == Touch::First && size) bytes += 1;
  b_.sim_os_->touch(header, bytes);
}

BackendSnapshot CoreBackend::snapshot(BackendSnapshot::Detail detail) {
  BackendSnapshot s;
  s.footprint = heap_.mapped_bytes();
  s.peak_footprint = heap_.peak_mapped_bytes();
  if (sim_os_) {
    s.simulated_rss = sim_os_->resident_bytes();
    s.peak_simulated_rss = sim_os_->peak_resident_bytes();
  }
  s.queue_bytes = heap_.queue_bytes();
  if (virtual_)  // the collector thread owns the targets; no racy reads
    for (std::uint32_t c = 0; c < heap_.classes().count(); ++c) s.queue_targets.push_back(heap_.collector().queue_state(c).target);
  if (detail == BackendSnapshot::Detail::Report) {
    const al::HeapStats stats = heap_.stats();
    s.counters = core_counter_groups(stats);
    s.classes = classes();
    s.figures = figures(stats);
  }
  return s;
}

// Every class allocation is a cache hit, a queue hit (a batch taken from
// the ready queue, straight away or after the thread's assist), a fallback,
// or a failure (an empty queue and no memory to carve from).
std::vector<ClassMetrics> CoreBackend::classes() const {
  std::vector<ClassMetrics> rows = core_class_rows(heap_);
  for (ClassMetrics& m : rows) {
    const al::ClassCounts k = heap_.class_counts(m.index);
    m.cache_hits = k.mallocs - k.queue_refills - k.queue_empty;
    m.queue_hits = k.queue_refills + k.assisted;
    m.fallbacks = k.fallbacks;
    m.allocations = *m.cache_hits + *m.queue_hits + m.fallbacks;
  }
  return rows;
}

BackendFigures CoreBackend::figures(const al::HeapStats& s) const {
  BackendFigures f;
  f.fallbacks = s.threads.fallbacks;
  f.class_allocations = s.threads.mallocs;
  f.queue_grows = s.collector.queue_grows;
  f.queue_reclaims = s.collector.queue_reclaims;
  f.collector_units = s.collector.work_units;
  f.collector_hash_ops = s.collector.hash_lookups + s.collector.hash_inserts + s.collector.hash_erases;
  return f;
}

}  // namespace

std::unique_ptr<Backend> make_core_backend(const allocator::Config& config, ReplayMode mode, Touch touch,
                                           EventRecorder& recorder) {
  return std::make_unique<CoreBackend>(config, mode, touch, recorder);
}

}  // namespace allocsim::sim
