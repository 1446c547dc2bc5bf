#pragma once
// Readers for heaptrack 1.4 data files (file format v3), raw and interpreted.
// Both also return heaptrack_print's totals (EventReader::heaptrack_totals()).
// Grammar and repairs: the comment at the top of each .cpp.
#include <memory>
#include <string_view>

#include "traces/event_reader.hpp"
#include "traces/input_stream.hpp"

namespace allocsim::traces {

enum class HeaptrackKind { NotHeaptrack, Raw, Interpreted, Unknown };

// Classifies the start of a file. Both kinds open with a `v` line; the raw
// file then has `x`/`m` records and `+ size trace pointer`, the
// interpreted one `s`/`i`/`a` records and `+ index`. Unknown: a `v` line
// but no record yet that tells them apart.
HeaptrackKind sniff_heaptrack(std::string_view head);

std::unique_ptr<EventReader> make_heaptrack_raw_reader(std::unique_ptr<LineReader> lines, const ReadOptions& options);
std::unique_ptr<EventReader> make_heaptrack_interpreted_reader(std::unique_ptr<LineReader> lines,
                                                               const ReadOptions& options);

}  // namespace allocsim::traces
