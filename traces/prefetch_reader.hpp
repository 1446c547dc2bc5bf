#pragma once
// Reads a trace on a second thread, a few batches ahead of its consumer,
// so that decompressing and parsing overlap the replay instead of adding
// to it. The events, their order and any TraceError (raised after the
// events before it) are exactly the wrapped reader's.
//
// info(), anomalies(), calls() and heaptrack_totals() are the wrapped
// reader's whole-stream figures once read() has returned 0; before that
// they are what was known when the trace was opened (path, format; no
// counts), since the reading thread is still counting. position() is the
// reading thread's.
#include <memory>

#include "traces/event_reader.hpp"

namespace allocsim::traces {

std::unique_ptr<EventReader> read_ahead(std::unique_ptr<EventReader> reader);

}  // namespace allocsim::traces
