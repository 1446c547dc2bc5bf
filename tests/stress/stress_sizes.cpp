// Every size and every entry point: a sweep of sizes from 1 byte to 8 MiB
// (every size up to 1 KiB, then each power of two and its neighbours,
// across the page-size class at 64 KiB into dedicated mappings), then
// random requests through malloc, calloc, posix_memalign, memalign,
// aligned_alloc and valloc with alignments 16 B .. 64 KiB, held in a window
// of live objects. Checked besides the pattern: calloc memory is zero in
// full (also when the chunk is reused), every pointer has its alignment,
// malloc_usable_size >= the request; and, as glibc does, malloc(0) is a
// unique pointer, posix_memalign rejects a bad alignment with EINVAL, and
// calloc fails on an overflowing product.
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "object.hpp"
#include "summary.hpp"

namespace {

using stress::Object;

struct Config {
  std::uint64_t seed, ops, window, max;
};

[[noreturn]] void fail(const char* call, const char* check, std::size_t size, std::size_t align, std::uint64_t id) {
  char what[200];
  std::snprintf(what, sizeof what, "%s: object %llu (size %zu, alignment %zu): %s", call,
                static_cast<unsigned long long>(id), size, align, check);
  stress::die(what);
}

// The alignment malloc owes a request of `size` bytes: that of any object
// that fits (C17 7.22.3), so 16 bytes (max_align_t) for 16 and up, less
// below (jemalloc, mimalloc and tcmalloc give 8-byte aligned 8-byte blocks).
std::size_t fundamental_alignment(std::size_t size) {
  std::size_t a = 1;
  while (a < 16 && a * 2 <= size) a *= 2;
  return a;
}

// Shared by every kind of request: usable size and alignment.
void check_block(void* p, std::size_t size, std::size_t align, std::uint64_t id, const char* call) {
  if (!p) stress::die_alloc(call, size, id);
  align = std::max(align, fundamental_alignment(size));
  if (reinterpret_cast<std::uintptr_t>(p) % align) fail(call, "pointer not aligned", size, align, id);
  if (malloc_usable_size(p) < size) fail(call, "malloc_usable_size below the request", size, align, id);
}

struct Thread {
  const Config* config;
  unsigned index;
  std::uint64_t digest = 0, allocs = 0, zeroed_bytes = 0, aligned = 0;
};

// One request of a random kind; returns the filled object.
Object random_request(Thread& t, stress::Rng& rng, std::uint64_t id) {
  const std::size_t size = rng.chance(1, 8) ? rng.log_size(64 * 1024, t.config->max) : rng.log_size(1, 64 * 1024);
  const std::size_t align = std::size_t{16} << rng.below(13);  // 16 .. 64 KiB
  void* p = nullptr;
  switch (rng.below(7)) {
    case 0: {  // calloc: zero in full, also when the memory is reused
      const std::size_t unit = 1 + rng.below(16), n = size / unit + 1;
      p = std::calloc(n, unit);
      check_block(p, n * unit, 1, id, "calloc");
      const auto* bytes = static_cast<const unsigned char*>(p);
      for (std::size_t b = 0; b < n * unit; ++b)
        if (bytes[b]) {
          char what[64];
          std::snprintf(what, sizeof what, "calloc memory not zero at offset %zu", b);
          fail("calloc", what, n * unit, 1, id);
        }
      t.zeroed_bytes += n * unit;
      return stress::adopt_object(p, n * unit, id);
    }
    case 1:
      if (posix_memalign(&p, align, size) != 0) stress::die_alloc("posix_memalign", size, id);
      check_block(p, size, align, id, "posix_memalign");
      ++t.aligned;
      return stress::adopt_object(p, size, id);
    case 2:
      p = memalign(align, size);
      check_block(p, size, align, id, "memalign");
      ++t.aligned;
      return stress::adopt_object(p, size, id);
    case 3:
      p = aligned_alloc(align, (size + align - 1) / align * align);  // C11: a multiple of the alignment
      check_block(p, (size + align - 1) / align * align, align, id, "aligned_alloc");
      ++t.aligned;
      return stress::adopt_object(p, (size + align - 1) / align * align, id);
    case 4:
      p = valloc(size);
      check_block(p, size, static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), id, "valloc");
      ++t.aligned;
      return stress::adopt_object(p, size, id);
    default:
      p = std::malloc(size);
      check_block(p, size, 1, id, "malloc");
      return stress::adopt_object(p, size, id);
  }
}

// Sizes of the sweep: all up to 1 KiB, then 2^k - 1, 2^k, 2^k + 1 and 2^k +- 16 up to 8 MiB.
std::vector<std::size_t> sweep_sizes() {
  std::vector<std::size_t> sizes;
  for (std::size_t s = 1; s <= 1024; ++s) sizes.push_back(s);
  for (std::size_t p = 2048; p <= 8 * 1024 * 1024; p *= 2)
    for (std::size_t s : {p - 16, p - 1, p, p + 1, p + 16}) sizes.push_back(s);
  return sizes;
}

void* run(void* arg) {
  auto& t = *static_cast<Thread*>(arg);
  stress::Rng rng(t.config->seed, t.index);
  std::uint64_t id = static_cast<std::uint64_t>(t.index) << 40;
  // The sweep: each size allocated, checked, held for a while, freed.
  std::vector<Object> held(4);
  for (std::size_t size : sweep_sizes()) {
    Object& slot = held[id % held.size()];
    if (slot) t.digest += stress::free_object(slot);
    void* p = std::malloc(size);
    check_block(p, size, 1, id, "malloc");
    slot = stress::adopt_object(p, size, id++);
    ++t.allocs;
  }
  for (Object& o : held)
    if (o) t.digest += stress::free_object(o);
  // Random requests replacing random members of a window of live objects.
  std::vector<Object> window(t.config->window);
  for (std::uint64_t op = 0; op < t.config->ops; ++op) {
    Object& slot = window[rng.below(window.size())];
    if (slot) t.digest += stress::free_object(slot);
    slot = random_request(t, rng, id++);
    ++t.allocs;
  }
  for (Object& o : window)
    if (o) t.digest += stress::free_object(o, "at exit");
  return nullptr;
}

// What glibc does at the edges, which a replacement malloc must do too.
void check_edges() {
  void* a = std::malloc(0);
  void* b = std::malloc(0);
  if (!a || !b || a == b) stress::die("malloc(0) is not a unique pointer");
  std::free(a);
  std::free(b);
  void* p = nullptr;
  if (posix_memalign(&p, 24, 64) != EINVAL) stress::die("posix_memalign(24) does not return EINVAL");
  if (posix_memalign(&p, 4, 64) != EINVAL) stress::die("posix_memalign(4) does not return EINVAL");
  // Only NULL: mimalloc and tcmalloc leave errno alone here, and the bench
  // runs this program under them too (preload_api_check tests the core's errno).
  volatile std::size_t half = SIZE_MAX / 2;  // volatile: the compiler must not see the overflow
  if (std::calloc(half, 3) != nullptr) stress::die("overflowing calloc does not fail");
}

}  // namespace

int main(int argc, char** argv) {
  const stress::Params params(argc, argv, "stress_sizes",
                              "Sizes from 1 byte to MiBs through every allocation call; alignment, zeroing, usable size.",
                              {{"threads", 2, 2, "threads, each running the whole sequence"},
                               {"ops", 2000, 40000, "random requests per thread after the sweep"},
                               {"window", 64, 64, "live objects per thread"},
                               {"max", 2 << 20, 4 << 20, "largest random request (bytes)"},
                               {"seed", 1, 1, "random seed"}});
  const Config config{static_cast<std::uint64_t>(params["seed"]), static_cast<std::uint64_t>(params["ops"]),
                      params.size("window"), params.size("max")};
  if (config.window < 1 || config.max < 64 * 1024) stress::die("bad parameters");
  check_edges();
  const unsigned n = static_cast<unsigned>(params["threads"]);
  std::vector<Thread> threads;
  for (unsigned i = 0; i < n; ++i) threads.push_back({&config, i});
  std::vector<pthread_t> ids(n);
  for (unsigned i = 0; i < n; ++i)
    if (pthread_create(&ids[i], nullptr, run, &threads[i]) != 0) stress::die("pthread_create failed");
  std::uint64_t digest = 0, allocs = 0, zeroed = 0, aligned = 0;
  for (unsigned i = 0; i < n; ++i) {
    pthread_join(ids[i], nullptr);
    digest += threads[i].digest;
    allocs += threads[i].allocs;
    zeroed += threads[i].zeroed_bytes;
    aligned += threads[i].aligned;
  }
  stress::print_summary(params, {{"allocs", allocs}, {"aligned", aligned}, {"calloc_bytes", zeroed}, {"checksum", digest}});
  return 0;
}
