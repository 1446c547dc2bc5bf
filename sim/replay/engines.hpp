#pragma once
// The two replay engines (virtual_engine.cpp, threaded_engine.cpp) and
// what each measures itself; sim/replay/replay.cpp turns that, with the backend's
// and the recorder's figures, into Metrics.
#include <array>
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

struct EngineResult {
  std::array<std::uint64_t, traces::kOpCount> ops{};
  std::uint64_t events = 0, allocations = 0, frees = 0, failed_allocations = 0;
  std::uint32_t threads = 0;  // trace threads seen
  std::uint64_t live_bytes = 0, peak_live_bytes = 0, live_objects = 0;  // trace order
  std::uint64_t end_ns = 0;              // virtual: the end of the replay on the virtual clock
  std::uint64_t collector_busy_ns = 0;   // virtual: time the collector spent in steps
  std::uint64_t peak_footprint = 0, final_footprint = 0;
  std::uint64_t queue_bytes_peak = 0, queue_bytes_final = 0;
  std::uint64_t peak_rss = 0, final_rss = 0;
  bool rss_simulated = false;
  Fragmentation fragmentation;
  Timeline timeline;
  std::vector<std::uint64_t> host_rss;  // per timeline sample
  std::optional<Latency> latency;
  std::optional<Throughput> throughput;
  std::optional<CheckOutcome> check;
};

EngineResult run_virtual(traces::EventReader& reader, const ReplayRequest& request, Backend& backend,
                         EventRecorder& recorder, Progress& progress);
EngineResult run_threaded(traces::EventReader& reader, const ReplayRequest& request, Backend& backend,
                          EventRecorder& recorder, Progress& progress);

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
