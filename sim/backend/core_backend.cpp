// The replay backend for the ready-queue core (allocator/): one Heap under
// the run's Config, one ThreadHeap per replayed thread. In virtual mode the
// collector is stepped by the engine and an OS layer wrapper counts the
// simulated RSS; in threaded mode the real collector thread runs.
//
// Per size class, virtual mode classifies every allocation exactly: a
// fallback is seen by the observer during the call, a queue hit shrinks
// the class's ready queue (nothing else touches it while the collector is
// stepped), anything else was a cache hit.
#include <mutex>

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

// Forwards to the recorder; in virtual mode also numbers fallbacks so an
// allocation can tell that it fell back.
class CoreObserver final : public al::HeapObserver {
 public:
  CoreObserver(EventRecorder& recorder, bool count) : recorder_(recorder), count_(count) {}
  void on_event(const al::HeapEvent& e) override {
    if (count_ && e.kind == al::HeapEventKind::Fallback) ++fallbacks_;
    recorder_.on_event(e);
  }
  std::uint64_t fallbacks() const { return fallbacks_; }

 private:
  EventRecorder& recorder_;
  const bool count_;
  std::uint64_t fallbacks_ = 0;  // virtual mode only (one thread)
};

struct ClassTally {
  std::uint64_t allocations = 0, cache_hits = 0, queue_hits = 0;
};

class CoreBackend;

class CoreThread final : public BackendThread {
 public:
  explicit CoreThread(CoreBackend& backend);
  ~CoreThread() override;
  void* allocate(Op op, std::uint64_t size, std::uint32_t align) override;
  void* reallocate(void* p, std::uint64_t old_size, std::uint64_t size) override;
  void deallocate(void* p) override { heap_.deallocate(p); }
  void flush() override { heap_.flush(); }

 private:
  // The class that serves an allocation of `size` at `align`, as
  // ThreadHeap picks it; nullopt for a dedicated mapping.
  std::optional<std::uint32_t> class_of(std::uint64_t size, std::uint32_t align) const;
  // What an allocation of class c can be told apart by afterwards.
  struct Before {
    std::size_t queued = 0;
    std::uint64_t fallbacks = 0;
  };
  Before before(std::uint32_t c) const;
  void classify(std::uint32_t c, const Before& b);
  void touch(const void* p, std::uint64_t size, bool whole);

  CoreBackend& b_;
  al::ThreadHeap heap_;
  std::vector<ClassTally> tally_;
};

class CoreBackend final : public Backend {
 public:
  CoreBackend(const al::Config& config, ReplayMode mode, Touch touch, EventRecorder& recorder)
      : virtual_(mode == ReplayMode::Virtual),
        touch_(touch),
        observer_(recorder, virtual_),
        sim_os_(virtual_ ? std::make_unique<SimulatedOs>(al::system_os()) : nullptr),
        heap_(config, al::HeapOptions{.mode = virtual_ ? al::CollectorMode::Stepped : al::CollectorMode::Threaded,
                                      .os = sim_os_.get(),
                                      .observer = &observer_,
                                      .clock = virtual_ ? &clock_ : nullptr}),
        merged_(heap_.classes().count()) {}

  std::string name() const override { return "core"; }
  AllocatorIdentity identity() const override { return {"allocsim-core", ALLOCSIM_VERSION}; }
  std::vector<std::pair<std::string, std::string>> config() const override { return al::knob_values(heap_.config()); }
  std::unique_ptr<BackendThread> attach_thread() override { return std::make_unique<CoreThread>(*this); }
  bool releases_everything() const override { return true; }

  std::uint64_t footprint() override { return heap_.mapped_bytes(); }
  std::string footprint_source() const override { return "mapped"; }
  bool footprint_is_cheap() const override { return true; }
  std::optional<std::uint64_t> peak_footprint() const override { return heap_.peak_mapped_bytes(); }
  std::optional<std::uint64_t> simulated_rss() const override {
    return sim_os_ ? std::optional(sim_os_->resident_bytes()) : std::nullopt;
  }
  std::optional<std::uint64_t> peak_simulated_rss() const override {
    return sim_os_ ? std::optional(sim_os_->peak_resident_bytes()) : std::nullopt;
  }

  std::uint64_t queue_bytes() const override { return heap_.queue_bytes(); }
  std::vector<std::uint64_t> queue_classes() const override {
    std::vector<std::uint64_t> sizes;
    for (std::uint32_t c = 0; c < heap_.classes().count(); ++c) sizes.push_back(heap_.classes().size(c));
    return sizes;
  }
  void queue_targets(std::vector<std::uint64_t>& out) const override {
    out.clear();
    if (!virtual_) return;  // the collector thread owns the targets; no racy reads
    for (std::uint32_t c = 0; c < heap_.classes().count(); ++c) out.push_back(heap_.collector().queue_state(c).target);
  }

  bool has_stepped_collector() const override { return virtual_; }
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

  std::vector<CounterGroup> counters() const override;
  std::vector<ClassMetrics> classes(const EventRecorder& recorder) const override;
  BackendFigures figures() const override;

 private:
  friend class CoreThread;
  void merge(const std::vector<ClassTally>& tally) {
    std::lock_guard lock(mutex_);
    for (std::size_t c = 0; c < tally.size(); ++c) {
      merged_[c].allocations += tally[c].allocations;
      merged_[c].cache_hits += tally[c].cache_hits;
      merged_[c].queue_hits += tally[c].queue_hits;
    }
  }

  const bool virtual_;
  const Touch touch_;
  CoreObserver observer_;
  std::unique_ptr<SimulatedOs> sim_os_;
  al::ManualClock clock_;  // virtual mode: the replay's virtual time
  al::Heap heap_;
  mutable std::mutex mutex_;  // merged_ (threads retire concurrently in threaded mode)
  std::vector<ClassTally> merged_;
};

CoreThread::CoreThread(CoreBackend& backend) : b_(backend), heap_(backend.heap_), tally_(backend.heap_.classes().count()) {}

CoreThread::~CoreThread() { b_.merge(tally_); }

std::optional<std::uint32_t> CoreThread::class_of(std::uint64_t size, std::uint32_t align) const {
  const al::SizeClasses& classes = b_.heap_.classes();
  const std::uint64_t padded = align > al::kUnit ? size + align - al::kUnit : size;
  const std::uint64_t chunk = al::SizeClasses::chunk_for(padded);
  if (chunk == 0 || chunk > classes.largest()) return std::nullopt;
  return classes.ceil_class(chunk);
}

CoreThread::Before CoreThread::before(std::uint32_t c) const {
  if (!b_.virtual_) return {};
  return {b_.heap_.queue_length(c), b_.observer_.fallbacks()};
}

void CoreThread::classify(std::uint32_t c, const Before& b) {
  ClassTally& t = tally_[c];
  ++t.allocations;
  if (!b_.virtual_ || b_.observer_.fallbacks() != b.fallbacks) return;  // fallbacks: counted by the recorder
  if (b_.heap_.queue_length(c) < b.queued) ++t.queue_hits;
  else ++t.cache_hits;
}

void* CoreThread::allocate(Op op, std::uint64_t size, std::uint32_t align) {
  const bool aligned = op == Op::Memalign && align > al::kUnit;
  const auto c = class_of(size, aligned ? align : 0);
  const Before b = c ? before(*c) : Before{};
  void* p = op == Op::Calloc ? heap_.allocate_zeroed(size)
            : aligned        ? heap_.allocate_aligned(size, align)
                             : heap_.allocate(size);
  if (!p) return p;
  if (c) classify(*c, b);
  if (b_.sim_os_) touch(p, size, op == Op::Calloc && c);  // class chunks are zeroed by memset
  return p;
}

void* CoreThread::reallocate(void* p, std::uint64_t old_size, std::uint64_t size) {
  const auto c = class_of(size, 0);
  const Before b = c ? before(*c) : Before{};
  void* q = heap_.reallocate(p, size);
  if (!q) return q;
  if (c && q != p) classify(*c, b);  // kept in place: no allocation happened
  if (b_.sim_os_) {
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

std::vector<CounterGroup> CoreBackend::counters() const { return core_counter_groups(heap_.stats()); }

std::vector<ClassMetrics> CoreBackend::classes(const EventRecorder& recorder) const {
  std::lock_guard lock(mutex_);
  std::vector<ClassMetrics> rows = core_class_rows(heap_);
  for (ClassMetrics& m : rows) {
    m.allocations = merged_[m.index].allocations;
    m.fallbacks = recorder.fallbacks(m.index);
    if (virtual_) {
      m.cache_hits = merged_[m.index].cache_hits;
      m.queue_hits = merged_[m.index].queue_hits;
    }
  }
  return rows;
}

BackendFigures CoreBackend::figures() const {
  const al::HeapStats s = heap_.stats();
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
