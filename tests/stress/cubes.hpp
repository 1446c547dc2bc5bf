#pragma once
// Cubes and covers for stress_espresso_like, in the style of a two-level
// logic minimiser: a cube over `vars` variables is a bit vector with two
// bits per variable (01: the variable is 0, 10: it is 1, 11: either,
// 00: empty), a cover is a growable array of cube pointers. Both are
// sealed arrays (sealed_array.hpp): a cube's words and a cover's pointers
// are verified when freed, a cover's also across each realloc that grows it.
#include <cstdint>

#include "sealed_array.hpp"

namespace stress::cubes {

using Cube = SealedArray<std::uint64_t>;
using Cover = SealedArray<Cube*>;

struct Space {
  std::uint32_t vars, words;
  AllocationCounters* counters;

  explicit Space(std::uint32_t v, AllocationCounters& c) : vars(v), words((2 * v + 63) / 64), counters(&c) {}

  // Two bits per variable, all set: the universal cube's words.
  std::uint64_t full_word(std::uint32_t i) const {
    const std::uint32_t bits = 2 * vars - 64 * i;
    return bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
  }
  std::uint32_t var_bits(const Cube* c, std::uint32_t v) const {
    return static_cast<std::uint32_t>(c->w[2 * v / 64] >> (2 * v % 64)) & 3;
  }

  Cube* cube() const { return make_sealed<std::uint64_t>(words, words, *counters); }
  Cube* universal() const {
    Cube* c = cube();
    for (std::uint32_t i = 0; i < words; ++i) c->w[i] = full_word(i);
    reseal(c, words);
    return c;
  }
  // The cube that fixes variable v to `value` and leaves the others free.
  Cube* literal(std::uint32_t v, std::uint32_t value) const {
    Cube* c = universal();
    c->w[2 * v / 64] &= ~(3ULL << (2 * v % 64));
    c->w[2 * v / 64] |= std::uint64_t{value ? 2u : 1u} << (2 * v % 64);
    reseal(c, words);
    return c;
  }
  void free_cube(Cube* c) const { release_sealed(c, *counters); }

  // Variables where the two cubes have no value in common.
  std::uint32_t distance(const Cube* a, const Cube* b) const {
    std::uint32_t d = 0;
    for (std::uint32_t i = 0; i < words; ++i) {
      const std::uint64_t x = a->w[i] & b->w[i];
      const std::uint64_t pair_empty = ~(x | (x >> 1)) & 0x5555555555555555ULL & full_word(i);
      d += static_cast<std::uint32_t>(__builtin_popcountll(pair_empty));
    }
    return d;
  }
  bool contains(const Cube* big, const Cube* small) const {
    for (std::uint32_t i = 0; i < words; ++i)
      if (small->w[i] & ~big->w[i]) return false;
    return true;
  }
  bool is_universal(const Cube* c) const {
    for (std::uint32_t i = 0; i < words; ++i)
      if (c->w[i] != full_word(i)) return false;
    return true;
  }
  std::uint32_t literals(const Cube* c) const {
    std::uint32_t n = 0;
    for (std::uint32_t v = 0; v < vars; ++v) n += var_bits(c, v) != 3;
    return n;
  }
  // For cubes at distance 1: their intersection with the conflicting variable freed.
  Cube* consensus(const Cube* a, const Cube* b) const {
    Cube* c = cube();
    for (std::uint32_t i = 0; i < words; ++i) {
      const std::uint64_t x = a->w[i] & b->w[i];
      const std::uint64_t pair_empty = ~(x | (x >> 1)) & 0x5555555555555555ULL & full_word(i);
      c->w[i] = x | pair_empty | (pair_empty << 1);
    }
    reseal(c, words);
    return c;
  }
  // The cofactor of c with respect to p (c must meet p): p's literals freed in c.
  Cube* cofactor(const Cube* c, const Cube* p) const {
    Cube* r = cube();
    for (std::uint32_t i = 0; i < words; ++i) r->w[i] = c->w[i] | (p->w[i] ^ full_word(i));
    reseal(r, words);
    return r;
  }

  Cover* cover(std::uint32_t capacity = 4) const { return make_sealed<Cube*>(capacity, 0, *counters); }
  Cover* add(Cover* f, Cube* c) const { return push_sealed(f, c, *counters); }
  // Frees the cover and every cube in it.
  void free_cover(Cover* f) const {
    verify_sealed(f, "before its cubes are freed");
    for (std::uint32_t i = 0; i < f->n; ++i) free_cube(f->w[i]);
    release_sealed(f, *counters);
  }
  // The cofactor of a cover: copies of the cubes that meet p, p's literals freed.
  Cover* cofactor(const Cover* f, const Cube* p) const {
    Cover* r = cover();
    for (std::uint32_t i = 0; i < f->n; ++i)
      if (distance(f->w[i], p) == 0) r = add(r, cofactor(f->w[i], p));
    return r;
  }

  std::uint64_t hash(const Cube* c) const {
    std::uint64_t h = 0x243F6A8885A308D3ULL;
    for (std::uint32_t i = 0; i < words; ++i) h = mix64(h ^ c->w[i]);
    return h;
  }
};

}  // namespace stress::cubes
