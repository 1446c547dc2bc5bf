#pragma once
// What the replay engines allocate through. Two implementations:
// core_backend.cpp (the ready-queue core under any policy) and
// system_backend.cpp (the process's own malloc, whatever LD_PRELOAD put
// there). Engines see only this interface, never the policy.
//
// Each replayed thread gets its own BackendThread (the core's ThreadHeap);
// in threaded mode it is created, used and destroyed by one OS thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "allocator/config.hpp"
#include "allocator/step_result.hpp"
#include "sim/common/kinds.hpp"
#include "sim/metrics/metrics.hpp"
#include "traces/event.hpp"

namespace allocsim::sim {

class EventRecorder;

class BackendThread {
 public:
  virtual ~BackendThread() = default;
  // op is Malloc, Calloc or Memalign (align: 0, or a power of two above 16).
  // nullptr when the allocator cannot serve the request.
  virtual void* allocate(traces::Op op, std::uint64_t size, std::uint32_t align) = 0;
  // realloc(p, size), size > 0, p may be null; old_size is p's requested size.
  virtual void* reallocate(void* p, std::uint64_t old_size, std::uint64_t size) = 0;
  virtual void deallocate(void* p) = 0;
  // Hands back what the thread holds back from the allocator (the core's pending garbage).
  virtual void flush() {}
};

struct CheckOutcome {
  bool ok = false;
  std::string summary;
};

// Figures only some backends have; null elsewhere.
struct BackendFigures {
  std::optional<std::uint64_t> fallbacks, class_allocations, queue_grows, queue_reclaims;
  std::optional<std::uint64_t> collector_units, collector_hash_ops;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;  // "core" or "system"
  virtual AllocatorIdentity identity() const = 0;
  // The allocator's whole config as (knob, value), empty when it has none.
  virtual std::vector<std::pair<std::string, std::string>> config() const { return {}; }

  virtual std::unique_ptr<BackendThread> attach_thread() = 0;
  // Whether destroying the backend returns every block (the core unmaps its
  // heap); otherwise the replay frees what the trace left live, after measuring.
  virtual bool releases_everything() const { return false; }

  // Bytes held from the OS now; where the figure comes from; whether it is
  // cheap enough to read after every event (else only at samples).
  virtual std::uint64_t footprint() = 0;
  virtual std::string footprint_source() const = 0;
  virtual bool footprint_is_cheap() const = 0;
  virtual std::optional<std::uint64_t> peak_footprint() const { return std::nullopt; }
  // Simulated RSS (virtual mode with the core), see sim/backend/sim_os.hpp.
  virtual std::optional<std::uint64_t> simulated_rss() const { return std::nullopt; }
  virtual std::optional<std::uint64_t> peak_simulated_rss() const { return std::nullopt; }

  // Ready queues: bytes held, chunk size of each class, current targets.
  virtual std::uint64_t queue_bytes() const { return 0; }
  virtual std::vector<std::uint64_t> queue_classes() const { return {}; }
  virtual void queue_targets(std::vector<std::uint64_t>& out) const { out.clear(); }

  // Virtual mode: one step of a stepped collector at virtual time now_ns;
  // may_sleep: an idle pass raises its sleeping flag (backends without a
  // collector never idle-wake).
  virtual bool has_stepped_collector() const { return false; }
  virtual allocator::StepResult step_collector(std::uint64_t /*budget*/, std::uint64_t /*now_ns*/, bool /*may_sleep*/) {
    return {.pass_completed = true, .idle = true};
  }
  // Threaded mode, after every replay thread has finished: stops background
  // work and lets it settle so the heap can be checked.
  virtual void quiesce() {}
  virtual std::optional<CheckOutcome> check() const { return std::nullopt; }

  virtual std::vector<CounterGroup> counters() const { return {}; }
  virtual std::vector<ClassMetrics> classes(const EventRecorder& recorder) const { return {}; }
  virtual BackendFigures figures() const { return {}; }
};

// The core under `config`. Virtual mode: stepped collector, simulated RSS
// with `touch`; threaded mode: the real collector thread.
std::unique_ptr<Backend> make_core_backend(const allocator::Config& config, ReplayMode mode, Touch touch,
                                           EventRecorder& recorder);
std::unique_ptr<Backend> make_system_backend();

}  // namespace allocsim::sim
