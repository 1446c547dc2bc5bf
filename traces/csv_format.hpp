#pragma once
// allocsim's text trace format, for hand-written and generated traces and
// for looking at any trace with ordinary tools. Full description:
// docs/csv-trace-format.md.
//
//   # allocsim-csv v1
//   # thread,op,id,size,align,old_id,time_ns
//   0,malloc,0,100
//   0,calloc,1,80,,,1500
//   1,realloc,2,200,,0,2100
//   0,memalign,3,300,64
//   1,free,2
//   0,free,1,,,,9000
//
// One event a line: thread, op (malloc, calloc, realloc, memalign, free),
// object id, then optional size, alignment, realloc's old id and time in ns
// (an empty or missing field takes its default: 0, 0, none, none). `#`
// starts a comment line; blank lines are skipped; spaces around fields are
// allowed. Ids and threads are labels: the reader renumbers them in order
// of birth / first appearance, so a label may be reused once its object is
// freed; a stream that already follows the event model (every reader's and
// generator's output) comes back unchanged, which makes native -> CSV ->
// native exact. Frees of labels that are not live, allocations of live
// labels and reallocs of unknown labels are anomalies (errors with
// --strict); anything malformed is a TraceError naming file and line.
#include <memory>
#include <string>
#include <string_view>

#include "traces/event_reader.hpp"
#include "traces/event_writer.hpp"
#include "traces/input_stream.hpp"

namespace allocsim::traces {

bool looks_like_csv(std::string_view head);

std::unique_ptr<EventReader> make_csv_reader(std::unique_ptr<LineReader> lines, const ReadOptions& options);

// Writes every Event field (nothing is lost); the file appears, whole, at
// `path` on finish().
std::unique_ptr<EventWriter> make_csv_writer(const std::string& path);

}  // namespace allocsim::traces
