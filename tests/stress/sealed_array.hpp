#pragma once
// A heap object that carries data rather than only a pattern: a header,
// an array of words, and spare capacity that keeps the pattern of
// (id, size). The header's seal is a running hash of the words in use, so
// appending costs O(1); release() recomputes it and verifies the spare
// bytes before free(), and growth by realloc verifies both across the
// copy. A word that changed while the object was live, or a copy that lost
// bytes, ends the program (pattern.hpp's rules).
//
//   [0, 8) id   [8, 12) object size   [12, 16) words in use n
//   [16, 24) seal   [24, 24 + n * sizeof(Word)) words   [.., size) pattern
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "pattern.hpp"

namespace stress {

struct AllocationCounters {
  std::uint64_t next_id = 1, allocs = 0, reallocs = 0, frees = 0;
};

template <class Word>
struct SealedArray {
  std::uint64_t id;
  std::uint32_t size;
  std::uint32_t n;
  std::uint64_t seal;
  Word w[];

  static constexpr std::size_t kHeader = 24;
  std::size_t capacity() const { return (size - kHeader) / sizeof(Word); }
};

template <class Word>
inline std::uint64_t seal_step(std::uint64_t seal, Word w) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &w, sizeof(Word) < 8 ? sizeof(Word) : 8);
  return mix64(seal ^ bits);
}

template <class Word>
inline std::uint64_t seal_of(const SealedArray<Word>* a) {
  std::uint64_t s = mix64(a->id);
  for (std::uint32_t i = 0; i < a->n; ++i) s = seal_step(s, a->w[i]);
  return s;
}

// Room for `capacity` words, `n` of them in use and zero; sealed.
template <class Word>
inline SealedArray<Word>* make_sealed(std::uint32_t capacity, std::uint32_t n, AllocationCounters& c) {
  static_assert(sizeof(SealedArray<Word>) == SealedArray<Word>::kHeader);
  const std::uint64_t id = c.next_id++;
  const std::size_t size = SealedArray<Word>::kHeader + sizeof(Word) * std::size_t{capacity};
  auto* a = static_cast<SealedArray<Word>*>(std::malloc(size));
  if (!a) die("malloc of a sealed array returned NULL");
  fill_pattern(a, size, id, size);
  a->id = id;
  a->size = static_cast<std::uint32_t>(size);
  a->n = n;
  std::memset(a->w, 0, sizeof(Word) * std::size_t{n});
  a->seal = seal_of(a);
  ++c.allocs;
  return a;
}

// After the words in [0, n) were written directly: n becomes `used`, the
// words past it get the pattern back, and the seal is recomputed.
template <class Word>
inline void reseal(SealedArray<Word>* a, std::uint32_t used) {
  const std::size_t h = SealedArray<Word>::kHeader;
  if (used < a->n) fill_pattern_range(a, h + sizeof(Word) * used, h + sizeof(Word) * a->n, a->id, a->size);
  a->n = used;
  a->seal = seal_of(a);
}

template <class Word>
inline void verify_sealed(const SealedArray<Word>* a, const char* when) {
  const std::size_t h = SealedArray<Word>::kHeader;
  if (a->size > (64u << 20) || a->size < h || h + sizeof(Word) * std::size_t{a->n} > a->size) {
    std::fprintf(stderr, "%s: object %llu: header overwritten (size %u, %u words) %s\n", g_program,
                 static_cast<unsigned long long>(a->id), a->size, a->n, when);
    std::_Exit(1);
  }
  if (a->seal != seal_of(a)) {
    std::fprintf(stderr, "%s: object %llu (size %u): words in [%zu, %zu) changed %s\n", g_program,
                 static_cast<unsigned long long>(a->id), a->size, h, h + sizeof(Word) * a->n, when);
    std::_Exit(1);
  }
  check_pattern_range(a, h + sizeof(Word) * std::size_t{a->n}, a->size, a->id, a->size, when);
}

template <class Word>
inline void release_sealed(SealedArray<Word>* a, AllocationCounters& c) {
  verify_sealed(a, "before free");
  std::free(a);
  ++c.frees;
}

// Appends a word, doubling the object by realloc when it is full.
template <class Word>
inline SealedArray<Word>* push_sealed(SealedArray<Word>* a, Word w, AllocationCounters& c) {
  if (a->n == a->capacity()) {
    verify_sealed(a, "before realloc");
    const std::size_t size = SealedArray<Word>::kHeader + sizeof(Word) * (2 * a->capacity() + 1);
    auto* b = static_cast<SealedArray<Word>*>(std::realloc(a, size));
    if (!b) die("realloc of a sealed array returned NULL");
    verify_sealed(b, "after realloc");  // the copy, still under the old size's pattern
    b->size = static_cast<std::uint32_t>(size);
    fill_pattern_range(b, SealedArray<Word>::kHeader + sizeof(Word) * b->n, size, b->id, size);
    a = b;
    ++c.reallocs;
  }
  a->w[a->n++] = w;
  a->seal = seal_step(a->seal, w);
  return a;
}

}  // namespace stress
