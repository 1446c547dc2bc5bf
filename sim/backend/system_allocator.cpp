#include "sim/backend/system_allocator.hpp"

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <malloc.h>

#include <fmt/format.h>

#include "sim/common/host_info.hpp"

namespace allocsim::sim {
namespace {

using MallctlFn = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
using MiVersionFn = int (*)();
using MiProcessInfoFn = void (*)(std::size_t*, std::size_t*, std::size_t*, std::size_t*, std::size_t*, std::size_t*,
                                 std::size_t*, std::size_t*);
using TcVersionFn = const char* (*)(int*, int*, const char**);
using TcPropertyFn = int (*)(const char*, std::size_t*);

void* symbol(const char* name) { return ::dlsym(RTLD_DEFAULT, name); }

template <typename Fn>
Fn as(void* p) {
  return reinterpret_cast<Fn>(p);
}

}  // namespace

const SystemAllocator& SystemAllocator::detect() {
  static const SystemAllocator instance;
  return instance;
}

SystemAllocator::SystemAllocator() {
  if (void* mallctl = symbol("mallctl")) {
    kind_ = Kind::Jemalloc;
    const char* version = nullptr;
    std::size_t len = sizeof version;
    const bool ok = as<MallctlFn>(mallctl)("version", &version, &len, nullptr, 0) == 0 && version;
    identity_ = {"jemalloc", ok ? version : "unknown"};
    fn_ = epoch_fn_ = mallctl;
    source_ = "jemalloc stats.mapped";
  } else if (void* mi_version = symbol("mi_version")) {
    kind_ = Kind::Mimalloc;
    const int v = as<MiVersionFn>(mi_version)();  // e.g. 209 for 2.0.9
    identity_ = {"mimalloc", fmt::format("{}.{}.{}", v / 100, v / 10 % 10, v % 10)};
    fn_ = symbol("mi_process_info");
    source_ = "mimalloc mi_process_info current_commit";
  } else if (void* tc_version = symbol("tc_version")) {
    kind_ = Kind::Tcmalloc;
    int major = 0, minor = 0;
    const char* patch = nullptr;
    const char* text = as<TcVersionFn>(tc_version)(&major, &minor, &patch);
    identity_ = {"tcmalloc", text ? text : fmt::format("{}.{}{}", major, minor, patch ? patch : "")};
    fn_ = symbol("MallocExtension_GetNumericProperty");
    source_ = "tcmalloc generic.heap_size - tcmalloc.pageheap_unmapped_bytes";
  } else {
    identity_ = {"glibc", gnu_get_libc_version()};
    source_ = "glibc mallinfo2 arena+hblkhd";
  }
  bool ok = false;
  allocator_footprint(ok);
  if (!ok) source_ = "process rss (" + identity_.name + " exposes no footprint statistic here)";
}

std::uint64_t SystemAllocator::allocator_footprint(bool& ok) const {
  ok = true;
  switch (kind_) {
    case Kind::Jemalloc: {
      std::uint64_t epoch = 1;
      std::size_t len = sizeof epoch;
      as<MallctlFn>(epoch_fn_)("epoch", &epoch, &len, &epoch, len);
      std::size_t mapped = 0;
      len = sizeof mapped;
      if (as<MallctlFn>(fn_)("stats.mapped", &mapped, &len, nullptr, 0) == 0) return mapped;
      break;
    }
    case Kind::Mimalloc:
      if (fn_) {
        std::size_t elapsed, user, sys, rss, peak_rss, commit = 0, peak_commit, faults;
        as<MiProcessInfoFn>(fn_)(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
        if (commit) return commit;
      }
      break;
    case Kind::Tcmalloc:
      if (fn_) {
        std::size_t heap = 0, unmapped = 0;
        if (as<TcPropertyFn>(fn_)("generic.heap_size", &heap) &&
            as<TcPropertyFn>(fn_)("tcmalloc.pageheap_unmapped_bytes", &unmapped))
          return heap - unmapped;
      }
      break;
    case Kind::Glibc: {
      const struct mallinfo2 mi = ::mallinfo2();
      return mi.arena + mi.hblkhd;
    }
  }
  ok = false;
  return 0;
}

std::uint64_t SystemAllocator::footprint() const {
  bool ok = false;
  const std::uint64_t bytes = allocator_footprint(ok);
  return ok ? bytes : current_rss_bytes();
}

}  // namespace allocsim::sim
