// Preload test helper: every malloc-family entry point, the corner cases a
// program can observe, and which library serves malloc. Prints one line per
// check ("ok NAME" or "FAIL NAME: why") and the path of malloc's library.
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

int g_failures = 0;

void check(bool ok, const char* name, const char* why) {
  if (ok) {
    std::printf("ok %s\n", name);
  } else {
    std::printf("FAIL %s: %s\n", name, why);
    ++g_failures;
  }
}

bool aligned(const void* p, std::size_t a) { return reinterpret_cast<std::uintptr_t>(p) % a == 0; }

bool zeroed(const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i)
    if (b[i]) return false;
  return true;
}

void basic() {
  void* a = std::malloc(0);
  void* b = std::malloc(0);
  check(a && b && a != b, "malloc(0) unique", "NULL or equal pointers");
  std::free(a);
  std::free(b);
  std::free(nullptr);
  char* s = static_cast<char*>(std::malloc(100));
  check(s && aligned(s, 16), "malloc aligned 16", "misaligned");
  check(malloc_usable_size(s) >= 100, "malloc_usable_size", "smaller than asked");
  std::memset(s, 'q', 100);
  s = static_cast<char*>(std::realloc(s, 100000));
  check(s && s[0] == 'q' && s[99] == 'q', "realloc keeps contents", "lost bytes");
  s = static_cast<char*>(std::realloc(s, 10));
  check(s && s[9] == 'q', "realloc shrink", "lost bytes");
  errno = 0;
  check(std::realloc(s, 0) == nullptr, "realloc(p, 0) frees", "returned a pointer");
  void* r = std::realloc(nullptr, 40);
  check(r != nullptr, "realloc(NULL, n)", "NULL");
  std::free(r);
}

void zeroing() {
  for (std::size_t n : {1u, 100u, 4096u, 70000u, 3000000u}) {
    auto* p = static_cast<unsigned char*>(std::malloc(n));
    std::memset(p, 0xab, n);
    std::free(p);
    void* z = std::calloc(n, 1);
    check(z && zeroed(z, n), "calloc zeroes", "non-zero byte");
    std::free(z);
  }
  volatile std::size_t huge = SIZE_MAX / 2;  // volatile: the compiler must not judge the calls itself
  errno = 0;
  check(std::calloc(huge, 3) == nullptr && errno == ENOMEM, "calloc overflow", "no ENOMEM");
  errno = 0;
  check(std::malloc(huge) == nullptr && errno == ENOMEM, "malloc huge", "no ENOMEM");
  void* ra = reallocarray(nullptr, 10, 10);
  check(ra != nullptr, "reallocarray", "NULL");
  errno = 0;
  void* failed = reallocarray(ra, huge, 3);
  check(failed == nullptr && errno == ENOMEM, "reallocarray overflow", "no ENOMEM");
  std::free(failed ? failed : ra);
}

void alignment() {
  void* p = nullptr;
  check(posix_memalign(&p, 3, 10) == EINVAL, "posix_memalign EINVAL", "accepted alignment 3");
  for (std::size_t a : {16u, 32u, 64u, 256u, 4096u, 65536u, 1u << 21}) {
    check(posix_memalign(&p, a, 100) == 0 && aligned(p, a), "posix_memalign", "misaligned");
    std::free(p);
    void* q = aligned_alloc(a, a * 2);
    check(q && aligned(q, a), "aligned_alloc", "misaligned");
    check(malloc_usable_size(q) >= a * 2, "aligned usable size", "too small");
    std::free(q);
    void* m = memalign(a, 33);
    check(m && aligned(m, a), "memalign", "misaligned");
    std::free(m);
  }
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  void* v = valloc(10);
  check(v && aligned(v, page), "valloc", "not page aligned");
  std::free(v);
  void* pv = pvalloc(page + 1);
  check(pv && aligned(pv, page) && malloc_usable_size(pv) >= 2 * page, "pvalloc", "not rounded to pages");
  std::free(pv);
}

void cxx() {
  auto* arr = new long[1000]();
  check(arr[999] == 0, "new[] zero-init", "non-zero");
  delete[] arr;
  struct alignas(128) Wide {
    char c[128];
  };
  auto* w = new Wide;
  check(aligned(w, 128), "aligned new", "misaligned");
  delete w;
}

}  // namespace

int main() {
  basic();
  zeroing();
  alignment();
  cxx();
  Dl_info info{};
  void* fn = dlsym(RTLD_DEFAULT, "malloc");
  if (fn && dladdr(fn, &info) && info.dli_fname) std::printf("malloc from %s\n", info.dli_fname);
  std::printf("%d failures\n", g_failures);
  return g_failures ? 1 : 0;
}
