#pragma once
// The one event model every trace format is read into.
//
// A trace is a sequence of events in a valid global order. Objects are named
// by dense ids, a new id for each lifetime of an address (addresses are
// reused, ids never are), assigned in order of birth starting at 0.
#include <cstdint>
#include <limits>
#include <string_view>

namespace allocsim::traces {

enum class Op : std::uint8_t {
  Malloc,    // id born, size bytes
  Calloc,    // id born, size = n * m bytes, zeroed
  Realloc,   // old_id dies (kNoObject for realloc(NULL, n)), id born with size
  Memalign,  // id born, size bytes at alignment `align` (posix_memalign, aligned_alloc, memalign, valloc, pvalloc)
  Free,      // id dies
};
inline constexpr int kOpCount = 5;

std::string_view op_name(Op op);

inline constexpr std::uint64_t kNoObject = std::numeric_limits<std::uint64_t>::max();
inline constexpr std::uint64_t kNoTime = std::numeric_limits<std::uint64_t>::max();

struct Event {
  std::uint64_t time = kNoTime;   // nanoseconds since the first event, kNoTime when the format has none
  std::uint64_t id = kNoObject;   // object born (allocations) or dying (Free)
  std::uint64_t old_id = kNoObject;  // Realloc only: the object that dies
  std::uint64_t size = 0;         // bytes requested; 0 for Free
  std::uint32_t thread = 0;       // dense thread index, 0-based, in order of first appearance
  std::uint32_t align = 0;        // 0 = the allocator's default alignment
  Op op = Op::Malloc;

  bool operator==(const Event&) const = default;
  bool allocates() const { return op != Op::Free; }
  bool frees() const { return op == Op::Free || (op == Op::Realloc && old_id != kNoObject); }
  // The object that dies with this event, or kNoObject.
  std::uint64_t dying() const { return op == Op::Free ? id : old_id; }
};

}  // namespace allocsim::traces
