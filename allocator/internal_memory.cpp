#include "allocator/internal_memory.hpp"

#include <atomic>
#include <mutex>

namespace allocsim::allocator {
namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kMaxPages = 16;  // mappings up to 64 KiB are kept
constexpr std::size_t kKeepPerSize = 16;

struct Kept {
  Kept* next;
};

constinit std::mutex g_mutex;
constinit std::atomic<std::size_t> g_mapped{0};  // bytes mapped here now, kept mappings included
Kept* g_kept[kMaxPages + 1] = {};
std::size_t g_count[kMaxPages + 1] = {};

std::size_t pages_of(std::size_t bytes) { return (bytes + kPage - 1) / kPage; }

}  // namespace

void* internal_map(std::size_t bytes) {
  const std::size_t pages = pages_of(bytes);
  if (pages != 0 && pages <= kMaxPages) {
    Kept* kept = nullptr;
    {
      std::lock_guard lock(g_mutex);
      if ((kept = g_kept[pages])) {
        g_kept[pages] = kept->next;
        --g_count[pages];
      }
    }
    if (kept) {
      std::memset(static_cast<void*>(kept), 0, pages * kPage);
      return kept;
    }
  }
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  g_mapped.fetch_add(pages * kPage, std::memory_order_relaxed);
  return p;
}

void internal_unmap(void* p, std::size_t bytes) {
  if (!p) return;
  const std::size_t pages = pages_of(bytes);
  if (pages != 0 && pages <= kMaxPages) {
    std::lock_guard lock(g_mutex);
    if (g_count[pages] < kKeepPerSize) {
      auto* kept = static_cast<Kept*>(p);
      kept->next = g_kept[pages];
      g_kept[pages] = kept;
      ++g_count[pages];
      return;
    }
  }
  munmap(p, bytes);
  g_mapped.fetch_sub(pages * kPage, std::memory_order_relaxed);
}

std::size_t internal_mapped_bytes() { return g_mapped.load(std::memory_order_relaxed); }

void internal_memory_lock() { g_mutex.lock(); }
void internal_memory_unlock() { g_mutex.unlock(); }
void internal_memory_reset_in_child() { new (&g_mutex) std::mutex; }

}  // namespace allocsim::allocator
