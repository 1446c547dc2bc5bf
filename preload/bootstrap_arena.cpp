#include "preload/bootstrap_arena.hpp"

#include <atomic>
#include <cstdint>

namespace allocsim::preload {
namespace {

// Building a Heap with the default config takes ~20 KiB; reading a policy
// file adds a stream buffer. 1 MiB leaves room for large knob values.
constexpr std::size_t kArenaBytes = std::size_t(1) << 20;
constexpr std::size_t kHeader = 16;  // the size, kept in front of each block

alignas(64) unsigned char g_arena[kArenaBytes];
constinit std::atomic<std::size_t> g_used{0};

}  // namespace

void* arena_allocate(std::size_t n, std::size_t alignment) {
  if (alignment < kHeader) alignment = kHeader;
  if (n > kArenaBytes || alignment > kArenaBytes / 2) return nullptr;
  const auto base = reinterpret_cast<std::uintptr_t>(g_arena);
  std::size_t used = g_used.load(std::memory_order_relaxed);
  for (;;) {
    const std::uintptr_t payload = (base + used + kHeader + alignment - 1) & ~(std::uintptr_t(alignment) - 1);
    const std::size_t end = payload + n - base;
    if (end > kArenaBytes) return nullptr;
    if (g_used.compare_exchange_weak(used, end, std::memory_order_relaxed)) {
      *reinterpret_cast<std::size_t*>(payload - kHeader) = n;
      return reinterpret_cast<void*>(payload);
    }
  }
}

bool arena_owns(const void* p) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  const auto base = reinterpret_cast<std::uintptr_t>(g_arena);
  return a >= base && a < base + kArenaBytes;
}

std::size_t arena_size(const void* p) { return *reinterpret_cast<const std::size_t*>(static_cast<const char*>(p) - kHeader); }

}  // namespace allocsim::preload
