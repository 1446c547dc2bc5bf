#pragma once
// A patterned heap object: allocated and filled in one call, verified and
// freed in one call, so no program can forget either half of the check.
#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "pattern.hpp"

namespace stress {

struct Object {
  unsigned char* p = nullptr;
  std::size_t size = 0;
  std::uint64_t id = 0;
  explicit operator bool() const { return p != nullptr; }
};

[[noreturn]] inline void die_alloc(const char* call, std::size_t size, std::uint64_t id) {
  char what[160];
  std::snprintf(what, sizeof what, "%s of %zu bytes for object %llu returned NULL", call, size,
                static_cast<unsigned long long>(id));
  die(what);
}

// malloc(size), filled with the pattern of (id, size).
inline Object new_object(std::uint64_t id, std::size_t size) {
  auto* p = static_cast<unsigned char*>(std::malloc(size));
  if (!p) die_alloc("malloc", size, id);
  fill_pattern(p, size, id, size);
  return {p, size, id};
}

// An object from any allocation call: takes ownership of p and fills it.
inline Object adopt_object(void* p, std::size_t size, std::uint64_t id) {
  fill_pattern(p, size, id, size);
  return {static_cast<unsigned char*>(p), size, id};
}

// Verifies the whole object, frees it, and returns its digest.
inline std::uint64_t free_object(Object& o, const char* when = "before free") {
  check_pattern(o.p, o.size, o.id, o.size, when);
  std::free(o.p);
  const std::uint64_t digest = object_digest(o.id, o.size);
  o = Object{};
  return digest;
}

// realloc to new_size: the preserved prefix must still hold the old
// pattern; the whole object then gets the pattern of (id, new_size).
inline void realloc_object(Object& o, std::size_t new_size) {
  auto* p = static_cast<unsigned char*>(std::realloc(o.p, new_size));
  if (!p) die_alloc("realloc", new_size, o.id);
  const std::size_t kept = o.size < new_size ? o.size : new_size;
  check_pattern(p, kept, o.id, o.size, "prefix after realloc");
  fill_pattern(p, new_size, o.id, new_size);
  o.p = p;
  o.size = new_size;
}

}  // namespace stress
