// Entry points of an ltrace recording and the decoding of their arguments.
#include "traces/ltrace_calls.hpp"

#include <fmt/format.h>

#include <bit>

#include "traces/scan_number.hpp"

namespace allocsim::traces {
namespace {

constexpr std::array<std::string_view, kAllocFnCount> kNames = {
    "malloc", "calloc", "realloc", "reallocarray", "free", "posix_memalign", "aligned_alloc", "memalign", "valloc",
    "pvalloc",
};

bool multiply(std::uint64_t a, std::uint64_t b, std::uint64_t& out) { return !__builtin_mul_overflow(a, b, &out); }

// glibc rounds a memalign/aligned_alloc alignment up to a power of two.
std::string alignment(std::uint64_t requested, std::uint32_t& out) {
  constexpr std::uint64_t kMaxAlign = std::uint64_t{1} << 31;
  if (requested > kMaxAlign) return fmt::format("alignment {} is too large", requested);
  out = requested == 0 ? 0 : static_cast<std::uint32_t>(std::bit_ceil(requested));
  return {};
}

int required_args(AllocFn fn) {
  switch (fn) {
    case AllocFn::Malloc:
    case AllocFn::Free:
    case AllocFn::Valloc:
    case AllocFn::Pvalloc: return 1;
    case AllocFn::Calloc:
    case AllocFn::Realloc:
    case AllocFn::AlignedAlloc:
    case AllocFn::Memalign: return 2;
    case AllocFn::Reallocarray:
    case AllocFn::PosixMemalign: return 3;
  }
  return 1;
}

}  // namespace

std::optional<AllocFn> alloc_fn_from_name(std::string_view name) {
  for (int i = 0; i < kAllocFnCount; ++i)
    if (kNames[i] == name) return static_cast<AllocFn>(i);
  return std::nullopt;
}

std::string_view alloc_fn_name(AllocFn fn) { return kNames[static_cast<int>(fn)]; }

std::string append_call_args(std::string_view text, CallArgs& args) {
  while (!text.empty()) {
    const std::string_view field = scan::trim(scan::next_field(text, ','));
    if (field.empty()) continue;  // "(20, <unfinished ...>" leaves an empty last field
    std::uint64_t v = 0;
    if (field == "nil" || field == "NULL") {
      v = 0;
    } else if (const auto st = scan::parse_c_number(field, v); st != scan::NumberStatus::Ok) {
      return fmt::format("argument '{}' is {}", field, st == scan::NumberStatus::Overflow ? "out of range" : "not a number");
    }
    if (args.n < CallArgs::kMax) args.v[args.n++] = v;
    ++args.total;
  }
  return {};
}

std::string decode_request(AllocFn fn, const CallArgs& args, AllocRequest& out) {
  const int need = required_args(fn);
  if (args.total < need)
    return fmt::format("{} shows {} argument(s), needs {}", alloc_fn_name(fn), args.total, need);
  // Without a prototype ltrace shows &ptr, not the result: nothing to replay.
  if (fn == AllocFn::PosixMemalign && args.total != 3)
    return "posix_memalign without its prototype (record with -F alloc.ltrace.conf)";
  const auto& a = args.v;
  out = AllocRequest{};
  switch (fn) {
    case AllocFn::Malloc: out.size = a[0]; return {};
    case AllocFn::Free: out.op = Op::Free; out.old_ptr = a[0]; return {};
    case AllocFn::Calloc:
      out.op = Op::Calloc;
      if (!multiply(a[0], a[1], out.size)) return fmt::format("calloc size {} * {} overflows", a[0], a[1]);
      return {};
    case AllocFn::Realloc: out.op = Op::Realloc; out.old_ptr = a[0]; out.size = a[1]; return {};
    case AllocFn::Reallocarray:
      out.op = Op::Realloc;
      out.old_ptr = a[0];
      if (!multiply(a[1], a[2], out.size)) return fmt::format("reallocarray size {} * {} overflows", a[1], a[2]);
      return {};
    case AllocFn::PosixMemalign:
      out.op = Op::Memalign;
      out.result_ptr = a[0];
      out.size = a[2];
      return alignment(a[1], out.align);
    case AllocFn::AlignedAlloc:
    case AllocFn::Memalign: out.op = Op::Memalign; out.size = a[1]; return alignment(a[0], out.align);
    case AllocFn::Valloc: out.op = Op::Memalign; out.size = a[0]; out.align = kLtracePageBytes; return {};
    case AllocFn::Pvalloc:
      out.op = Op::Memalign;
      out.align = kLtracePageBytes;
      if (a[0] > ~std::uint64_t{0} - (kLtracePageBytes - 1)) return fmt::format("pvalloc size {} overflows", a[0]);
      out.size = (a[0] + kLtracePageBytes - 1) / kLtracePageBytes * kLtracePageBytes;
      return {};
  }
  return "unknown function";
}

bool parse_return_value(std::string_view text, std::uint64_t& out) {
  if (text == "nil" || text == "NULL") {
    out = 0;
    return true;
  }
  if (!text.empty() && text[0] == '-') {
    if (scan::parse_c_number(text.substr(1), out) != scan::NumberStatus::Ok) return false;
    out = out == 0 ? 0 : ~std::uint64_t{0};
    return true;
  }
  return scan::parse_c_number(text, out) == scan::NumberStatus::Ok;
}

}  // namespace allocsim::traces
