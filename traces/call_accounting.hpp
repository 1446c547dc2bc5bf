#pragma once
// A recording's own call counts, carried beside the event stream.
//
// Why a side channel: the event stream holds births and deaths, while a text
// recording counts calls, and the two differ. A failed malloc, free(NULL) and
// a free of an unknown pointer are calls but no event; realloc(p, 0) is a
// realloc call that becomes a Free event; posix_memalign and memalign are
// both Op::Memalign. Only the reader sees the calls, so the ltrace and mtrace
// readers count them while they parse and return them from
// EventReader::calls(); other readers have none.
//
// Each format counts the way its recording (and the reference tables of
// traces/samples/README.md) does:
//   ltrace: outermost calls of a thread (nested ones are not calls of the
//           program). alloc_calls includes the calls that failed.
//   mtrace: records, one per call except a moving realloc (`<` + `>`).
//           alloc_calls is the `+` and `>` records that returned a block;
//           a failed call (`+ (nil)`, `!`) is only in failed_allocs.
//           free_calls is the `-` and `<` records.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace allocsim::traces {

struct CallCounts {
  std::uint64_t alloc_calls = 0;
  // Allocating functions with at least one call, in the reader's order;
  // empty when the format does not name the function (mtrace).
  std::vector<std::pair<std::string, std::uint64_t>> alloc_calls_by_function;
  std::uint64_t free_calls = 0;  // free(NULL) included
  std::uint64_t null_frees = 0;
  std::uint64_t failed_allocs = 0;  // allocating calls that returned NULL (or an error)
  // `<`/`>` record pairs, for formats that log a moving realloc as two records.
  std::optional<std::uint64_t> realloc_pairs;
};

}  // namespace allocsim::traces
