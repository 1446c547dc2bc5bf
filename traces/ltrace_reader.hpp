#pragma once
// Reader for ltrace 0.7.x recordings of the allocation functions, in both
// symbol (-x) and PLT (-e) mode, with or without -f, -t/-tt/-ttt and -T.
// Line shapes: traces/ltrace_line.hpp. How calls become events (the rules
// that make the figures match traces/samples/README.md's):
//   - free and realloc's old pointer die at the call's entry line;
//     allocations are born at the return (or `resumed`) line; events come
//     out in the order they are applied, not in line order;
//   - only the outermost traced call of a thread counts (in -x mode glibc's
//     realloc(p, 0) calls free and realloc(NULL, n) calls malloc): inner
//     ones are reported as NestedCall;
//   - frees of pointers that are not live are UnknownFree, free(NULL) is
//     NullFree; `libc.so.6->` calls in PLT mode are mislabels (IgnoredLine);
//   - a NULL result is FailedAlloc; realloc(p, n > 0) returning NULL leaves
//     p live; realloc(p, 0) returning NULL frees p (an Op::Free event);
//   - pids (threads and forked children alike) become dense thread indices
//     in order of their first event;
//   - times are ns since the first event; -t/-tt clocks wrap at midnight.
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "traces/call_accounting.hpp"
#include "traces/event_reader.hpp"
#include "traces/input_stream.hpp"
#include "traces/ltrace_calls.hpp"

namespace allocsim::traces {

// Outermost calls per entry point, as ltrace named them (in -x mode
// aligned_alloc is printed, and counted, as memalign).
struct LtraceCallCounts {
  std::array<std::uint64_t, kAllocFnCount> outermost{};
  // realloc(p, 0) calls that returned NULL and freed p: each is one
  // realloc call in `outermost` and one Op::Free event in the stream.
  std::uint64_t realloc_freed = 0;
  std::uint64_t null_frees = 0;  // outermost free(NULL) calls
  std::uint64_t failed = 0;      // outermost allocating calls that returned NULL (posix_memalign: non-zero)

  std::uint64_t of(AllocFn fn) const { return outermost[static_cast<int>(fn)]; }
  // Calls of every function but free.
  std::uint64_t alloc_calls() const;
  // The format-neutral form `allocsim stats` prints.
  CallCounts summary() const;
};

// The ltrace reader also tells which functions were called, which the event
// stream cannot (posix_memalign and memalign are both Op::Memalign).
class LtraceReader : public EventReader {
 public:
  virtual const LtraceCallCounts& ltrace_calls() const = 0;
  std::optional<CallCounts> calls() const override { return ltrace_calls().summary(); }
};

// True when the first lines of a file look like ltrace output of an
// allocation function.
bool looks_like_ltrace(std::string_view head);

std::unique_ptr<EventReader> make_ltrace_reader(std::unique_ptr<LineReader> lines, const ReadOptions& options);

}  // namespace allocsim::traces
