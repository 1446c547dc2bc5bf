#pragma once
// The two replay engines (virtual_engine.cpp, threaded_engine.cpp). Each
// fills what it measures itself straight into the Metrics: the summary's
// trace-order, footprint, RSS, queue and fragmentation figures and the heap
// check, the timeline, the "ops" and "replay" counters, and (threaded) the
// latency and throughput. replay.cpp adds the run identity and what the
// backend and the event recorder counted.
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/backend/backend.hpp"
#include "sim/metrics/event_recorder.hpp"
#include "sim/metrics/metrics.hpp"
#include "sim/replay/object_table.hpp"
#include "sim/replay/progress.hpp"
#include "sim/replay/replay.hpp"
#include "traces/event_reader.hpp"

namespace allocsim::sim {

void run_virtual(traces::EventReader& reader, const ReplayRequest& request, Backend& backend, EventRecorder& recorder,
                 Progress& progress, Metrics& m);
void run_threaded(traces::EventReader& reader, const ReplayRequest& request, Backend& backend, EventRecorder& recorder,
                  Progress& progress, Metrics& m);

// The backend's heap check into the summary (check_report only when it failed).
void record_check(const std::optional<CheckOutcome>& check, Summary& s);

// Frees what the trace left live (leaks of the recorded program) through
// `backend`, unless destroying the backend returns it all anyway. Call
// after measuring: it changes the allocator's state.
void free_leftovers(ObjectTable& table, Backend& backend);

// Normalises a trace alignment for the backends: 0 for the default
// (<= 16), else the next power of two.
inline std::uint32_t replay_alignment(std::uint32_t align) {
  if (align <= 16) return 0;
  if ((align & (align - 1)) == 0) return align;
  return align > (1u << 30) ? (1u << 31) : 1u << (32 - __builtin_clz(align));
}

}  // namespace allocsim::sim
