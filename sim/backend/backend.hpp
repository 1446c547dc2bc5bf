#pragma once
// What the replay engines allocate through. Two implementations:
// core_backend.cpp (the ready-queue core under any policy) and
// system_backend.cpp (the process's own malloc, whatever LD_PRELOAD put
// there). Engines see only this interface, never the policy.
//
// Each replayed thread gets its own BackendThread (the core's ThreadHeap);
// in threaded mode it is created, used and destroyed by one OS thread.
//
// A backend describes itself once (BackendTraits) and reports its figures
// as one BackendSnapshot; only the footprint has a call of its own, because
// a backend whose footprint is cheap has it read after every event, and so
// do the queued bytes, read around every collector step for their time
// average, and the interval peaks, which reading resets.
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

// What a backend is, fixed for its whole life.
struct BackendTraits {
  std::string name;  // "core" or "system"
  AllocatorIdentity identity;
  NamedValues config;            // the allocator's whole config as (knob, value); empty when it has none
  std::string footprint_source;  // where footprint() comes from
  bool footprint_is_cheap = false;  // cheap enough to read after every event (else only at samples)
  // Destroying the backend returns every block (the core unmaps its heap);
  // otherwise the replay frees what the trace left live, after measuring.
  bool releases_everything = false;
  bool stepped_collector = false;             // virtual mode: the engine steps a collector
  std::vector<std::uint64_t> queue_classes;   // chunk bytes of each ready-queue class; empty: no queues
};

// Figures only some backends have; null elsewhere.
struct BackendFigures {
  std::optional<std::uint64_t> fallbacks, class_allocations, queue_grows, queue_reclaims;
  std::optional<std::uint64_t> collector_units, collector_hash_ops;
};

// The backend at one moment. Engines take a Moment at every timeline
// sample and when the replay ends; replay.cpp takes a Report once the
// engine has finished (every replayed thread detached), which adds the
// counters, the per-class figures and the summary figures.
struct BackendSnapshot {
  enum class Detail { Moment, Report };

  std::uint64_t footprint = 0;  // bytes held from the OS
  std::optional<std::uint64_t> peak_footprint;
  // Simulated RSS (virtual mode with the core), see sim/backend/sim_os.hpp.
  std::optional<std::uint64_t> simulated_rss, peak_simulated_rss;
  std::uint64_t queue_bytes = 0;              // held in ready queues
  std::vector<std::uint64_t> queue_targets;   // per queue class; empty where they cannot be read safely (threaded)

  // Detail::Report only.
  std::vector<CounterGroup> counters;
  std::vector<ClassMetrics> classes;
  BackendFigures figures;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const BackendTraits& traits() const = 0;
  virtual std::unique_ptr<BackendThread> attach_thread() = 0;

  // Bytes held from the OS now (the snapshot's footprint, alone).
  virtual std::uint64_t footprint() = 0;
  // Bytes held in ready queues now (the snapshot's queue_bytes, alone).
  virtual std::uint64_t queue_bytes() { return 0; }
  // The largest footprint and simulated RSS since the last call, for a
  // backend that sees every change (the core in virtual mode, through its
  // OS layer); the next window starts at the current values. nullopt where
  // only moments can be read.
  struct WindowPeaks {
    std::uint64_t footprint = 0, rss = 0;
  };
  virtual std::optional<WindowPeaks> take_window_peaks() { return std::nullopt; }
  virtual BackendSnapshot snapshot(BackendSnapshot::Detail detail) = 0;

  // Virtual mode: one step of a stepped collector at virtual time now_ns;
  // may_sleep: an idle pass raises its sleeping flag (backends without a
  // collector never idle-wake).
  virtual allocator::StepResult step_collector(std::uint64_t /*budget*/, std::uint64_t /*now_ns*/, bool /*may_sleep*/) {
    return {.pass_completed = true, .idle = true};
  }
  // Threaded mode, after every replay thread has finished: stops background
  // work and lets it settle so the heap can be checked.
  virtual void quiesce() {}
  virtual std::optional<CheckOutcome> check() const { return std::nullopt; }
};

// The core under `config`. Virtual mode: stepped collector, simulated RSS
// with `touch`; threaded mode: the real collector thread.
std::unique_ptr<Backend> make_core_backend(const allocator::Config& config, ReplayMode mode, Touch touch,
                                           EventRecorder& recorder);
std::unique_ptr<Backend> make_system_backend();

}  // namespace allocsim::sim
