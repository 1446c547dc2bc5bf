// The malloc family, routed to the ready-queue core (docs/preload.md).
// These are the library's only exported symbols. C++ new/delete reach them
// through libstdc++'s operator new, which calls malloc.
//
// Semantics follow glibc where programs can tell: malloc(0) returns a
// unique pointer, realloc(p, 0) frees p and returns NULL, failures set
// errno to ENOMEM, posix_memalign returns EINVAL for a bad alignment,
// memalign/aligned_alloc round a non-power-of-two alignment up.
#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "preload/bootstrap_arena.hpp"
#include "preload/runtime.hpp"

using allocsim::allocator::ThreadHeap;
namespace pl = allocsim::preload;

namespace {

constexpr std::size_t kMinAlign = 16;

void* fail_nomem() {
  errno = ENOMEM;
  return nullptr;
}

void* checked(void* p) { return p ? p : fail_nomem(); }

std::size_t round_up_pow2(std::size_t a) {
  std::size_t p = kMinAlign;
  while (p < a && p <= (SIZE_MAX >> 1)) p <<= 1;
  return p;
}

std::size_t page_size() {
  static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

void* allocate(std::size_t n) {
  pl::Lease lease;
  if (ThreadHeap* h = lease.heap()) [[likely]]
    return checked(h->allocate(n));
  return checked(pl::arena_allocate(n, kMinAlign));
}

void* allocate_aligned(std::size_t alignment, std::size_t n) {
  if (alignment & (alignment - 1)) alignment = round_up_pow2(alignment);
  pl::Lease lease;
  if (ThreadHeap* h = lease.heap()) return checked(h->allocate_aligned(n, alignment));
  return checked(pl::arena_allocate(n, alignment));
}

void deallocate(void* p) {
  if (!p || pl::arena_owns(p)) return;  // arena blocks are never reused
  pl::Lease lease;
  if (ThreadHeap* h = lease.heap()) h->deallocate(p);
}

void* move_out_of_arena(void* p, std::size_t n) {
  if (n == 0) return nullptr;  // glibc: realloc(p, 0) frees p
  void* q = allocate(n);
  if (q) std::memcpy(q, p, std::min(n, pl::arena_size(p)));
  return q;
}

}  // namespace

#define ALLOCSIM_EXPORT extern "C" __attribute__((visibility("default")))

ALLOCSIM_EXPORT void* malloc(std::size_t n) noexcept { return allocate(n); }

ALLOCSIM_EXPORT void free(void* p) noexcept { deallocate(p); }

ALLOCSIM_EXPORT void* calloc(std::size_t count, std::size_t size) noexcept {
  std::size_t n;
  if (__builtin_mul_overflow(count, size, &n)) return fail_nomem();
  pl::Lease lease;
  if (ThreadHeap* h = lease.heap()) [[likely]]
    return checked(h->allocate_zeroed(n));
  void* p = pl::arena_allocate(n, kMinAlign);
  if (p) std::memset(p, 0, n);
  return checked(p);
}

ALLOCSIM_EXPORT void* realloc(void* p, std::size_t n) noexcept {
  if (!p) return allocate(n);
  if (pl::arena_owns(p)) return n ? checked(move_out_of_arena(p, n)) : nullptr;
  pl::Lease lease;
  void* q = nullptr;
  if (ThreadHeap* h = lease.heap()) q = h->reallocate(p, n);  // no heap only while building it
  return n == 0 ? nullptr : checked(q);
}

ALLOCSIM_EXPORT void* reallocarray(void* p, std::size_t count, std::size_t size) noexcept {
  std::size_t n;
  if (__builtin_mul_overflow(count, size, &n)) return fail_nomem();
  return realloc(p, n);
}

ALLOCSIM_EXPORT int posix_memalign(void** out, std::size_t alignment, std::size_t n) noexcept {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1))) return EINVAL;
  const int saved = errno;
  void* p = allocate_aligned(alignment, n);
  errno = saved;  // posix_memalign reports through its result only
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

ALLOCSIM_EXPORT void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept {
  return allocate_aligned(alignment, n);
}

ALLOCSIM_EXPORT void* memalign(std::size_t alignment, std::size_t n) noexcept { return allocate_aligned(alignment, n); }

ALLOCSIM_EXPORT void* valloc(std::size_t n) noexcept { return allocate_aligned(page_size(), n); }

ALLOCSIM_EXPORT void* pvalloc(std::size_t n) noexcept {
  const std::size_t page = page_size();
  std::size_t rounded;
  if (__builtin_add_overflow(n, page - 1, &rounded)) return fail_nomem();
  rounded &= ~(page - 1);
  return allocate_aligned(page, rounded ? rounded : page);
}

ALLOCSIM_EXPORT std::size_t malloc_usable_size(void* p) noexcept {
  if (!p) return 0;
  if (pl::arena_owns(p)) return pl::arena_size(p);
  return ThreadHeap::usable_size(p);
}
