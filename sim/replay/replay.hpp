#pragma once
// `allocsim replay` as a library call: replays one trace through one
// backend in one mode and returns everything it measured.
//
//   virtual mode (default): one OS thread drives the trace's threads in
//   trace order on a virtual clock, and steps the core's collector on that
//   clock through a cost model (docs/replay.md). Reproducible: the same
//   trace, config and seed give the same Metrics outside `host`.
//
//   threaded mode: one OS thread per trace thread, fed by a dispatcher
//   through bounded queues; a free waits until its object's allocation has
//   happened on the other thread. Measures throughput and latency.
#include <functional>
#include <stdexcept>
#include <string>

#include "sim/backend/backend.hpp"
#include "sim/metrics/metrics.hpp"
#include "sim/config/run_config.hpp"
#include "traces/event_reader.hpp"
#include "sim/common/errors.hpp"

namespace allocsim::sim {

struct ReplayRequest {
  std::string trace;  // path, as given (run identity)
  traces::ReadOptions read;
  RunConfig config;
  ReplayMode mode = ReplayMode::Virtual;
  BackendKind backend = BackendKind::Core;
  bool progress = false;  // a progress line on stderr (the CLI sets it when stderr is a terminal)
  // Called with the trace's reader once it has been read (the CLI warns of
  // the repairs it made).
  std::function<void(const traces::EventReader&)> after_read;
};

// A trace the replay cannot follow (a free of an object that is not live,
// an object born out of order) or a threaded replay that stopped making
// progress. The message names the trace and the event.
class ReplayError : public InputError {
 public:
  using InputError::InputError;
};

// What a virtual replay multiplies the trace's times by: the time_scale
// knob, or else the recording's untraced/traced wall-time ratio (a
// recorder slows the program down; its times are brought back to the
// program's own pace), or else 1.
double time_scale(const ReplayKnobs& knobs, const traces::TraceInfo& info);

// Opens request.trace, hashes it and replays it. Throws traces::TraceError
// (unreadable trace), ReplayError, allocator::ConfigError.
Metrics replay(const ReplayRequest& request);
// Replays from an open reader (tests, benchmarks); trace_hash is left empty.
Metrics replay(traces::EventReader& reader, const ReplayRequest& request);


}  // namespace allocsim::sim
