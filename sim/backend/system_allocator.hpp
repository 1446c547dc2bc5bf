#pragma once
// Which malloc this process runs on, and how much memory it holds.
//
// Detected at run time through dlsym of symbols only one allocator has, so
// `LD_PRELOAD=libjemalloc.so.2 allocsim replay --backend system ...` names
// jemalloc (likewise mimalloc and tcmalloc); otherwise glibc:
//   jemalloc  mallctl("version")            footprint: mallctl("stats.mapped")
//   mimalloc  mi_version()                  footprint: mi_process_info() current commit
//   tcmalloc  tc_version()                  footprint: generic.heap_size - tcmalloc.pageheap_unmapped_bytes
//   glibc     gnu_get_libc_version()        footprint: mallinfo2() arena + hblkhd
// When an allocator's statistic is unavailable the footprint is the
// process's RSS, and the source says so.
#include <cstdint>
#include <string>

#include "sim/metrics/metrics.hpp"

namespace allocsim::sim {

class SystemAllocator {
 public:
  // Looks the allocator up once.
  static const SystemAllocator& detect();

  const AllocatorIdentity& identity() const { return identity_; }
  // "jemalloc stats.mapped", "glibc mallinfo2 arena+hblkhd", ..., or "process rss".
  const std::string& footprint_source() const { return source_; }
  std::uint64_t footprint() const;

 private:
  enum class Kind { Glibc, Jemalloc, Mimalloc, Tcmalloc };
  SystemAllocator();
  std::uint64_t allocator_footprint(bool& ok) const;

  Kind kind_ = Kind::Glibc;
  AllocatorIdentity identity_;
  std::string source_;
  void* fn_ = nullptr;      // the allocator's statistics entry point
  void* epoch_fn_ = nullptr;  // jemalloc: the same mallctl, used to refresh stats
};

}  // namespace allocsim::sim
