#pragma once
// The allocation entry points an ltrace recording shows, and how their
// printed arguments become an allocation request (size, alignment).
// Prototypes as in traces/src/alloc.ltrace.conf of the shared set:
//   addr malloc(ulong);  addr calloc(ulong, ulong);  addr realloc(addr, ulong);
//   addr reallocarray(addr, ulong, ulong);  void free(addr);
//   int posix_memalign(+addr*, ulong, ulong);   (result pointer printed first)
//   addr aligned_alloc(ulong, ulong);  addr memalign(ulong, ulong);
//   addr valloc(ulong);  addr pvalloc(ulong);
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "traces/event.hpp"

namespace allocsim::traces {

enum class AllocFn : std::uint8_t {
  Malloc, Calloc, Realloc, Reallocarray, Free, PosixMemalign, AlignedAlloc, Memalign, Valloc, Pvalloc,
};
inline constexpr int kAllocFnCount = 10;

std::optional<AllocFn> alloc_fn_from_name(std::string_view name);
std::string_view alloc_fn_name(AllocFn fn);

// valloc/pvalloc align to the page; recordings come from x86-64 Linux.
inline constexpr std::uint64_t kLtracePageBytes = 4096;

// The numbers printed as one call's arguments: the entry line's, then the
// `resumed` line's (posix_memalign prints its result pointer only there).
struct CallArgs {
  static constexpr int kMax = 6;  // ltrace shows 6 arguments of a function without prototype
  std::array<std::uint64_t, kMax> v{};
  int n = 0;      // stored
  int total = 0;  // printed, may exceed kMax
};

// Parses comma-separated decimal / 0x-hex numbers ("0" and "nil" are NULL)
// and appends them. Returns an error message, empty on success.
std::string append_call_args(std::string_view text, CallArgs& args);

// What an allocating call asked for, once its arguments are known.
struct AllocRequest {
  Op op = Op::Malloc;
  std::uint64_t size = 0;
  std::uint32_t align = 0;
  std::uint64_t old_ptr = 0;     // realloc/reallocarray
  std::uint64_t result_ptr = 0;  // posix_memalign: the pointer it stored
};

// Checks the argument count and computes size and alignment (calloc n*m,
// memalign/aligned_alloc argument 2, posix_memalign argument 3, ...).
// Returns an error message, empty on success.
std::string decode_request(AllocFn fn, const CallArgs& args, AllocRequest& out);

// A printed return value: "0x55868f7532a0", "0", "12", "-1", "nil".
// Negative values (an int return) come back as a non-zero value.
bool parse_return_value(std::string_view text, std::uint64_t& out);

}  // namespace allocsim::traces
