#pragma once
// Small immutable bignums for stress_cfrac_like, one heap object each, in
// the style of a C bignum package: every operation allocates its result
// and the caller frees operands it no longer needs, so arithmetic turns
// into a stream of small, short-lived allocations (32..64 bytes here).
// A number is a sealed array of base-2^32 digits, least significant first
// (sealed_array.hpp: its digits and spare bytes are verified when it is
// freed).
#include <algorithm>
#include <cstdint>

#include "sealed_array.hpp"

namespace stress::bignum {

using Big = SealedArray<std::uint32_t>;

inline AllocationCounters g_counters;  // single-threaded workload

// A number with `digits` zero digits to be written, then sealed. Some
// objects get one or two spare digits, as a package that rounds its
// precision would allocate.
inline Big* make(std::uint32_t digits) {
  return make_sealed<std::uint32_t>(digits + static_cast<std::uint32_t>(g_counters.next_id % 3), digits, g_counters);
}

// Drops leading zero digits and seals.
inline Big* seal(Big* b) {
  std::uint32_t n = b->n;
  while (n > 0 && b->w[n - 1] == 0) --n;
  reseal(b, n);
  return b;
}

inline void release(Big* b) { release_sealed(b, g_counters); }

inline Big* from_u64(std::uint64_t v) {
  Big* b = make(2);
  b->w[0] = static_cast<std::uint32_t>(v);
  b->w[1] = static_cast<std::uint32_t>(v >> 32);
  return seal(b);
}

inline std::uint64_t low64(const Big* b) {
  return (b->n > 0 ? b->w[0] : 0) | (b->n > 1 ? std::uint64_t{b->w[1]} << 32 : 0);
}
inline bool is_zero(const Big* b) { return b->n == 0; }
inline bool is_one(const Big* b) { return b->n == 1 && b->w[0] == 1; }
inline std::uint32_t bits(const Big* b) {
  return b->n == 0 ? 0 : 32 * (b->n - 1) + (32 - static_cast<std::uint32_t>(__builtin_clz(b->w[b->n - 1])));
}
inline bool bit(const Big* b, std::uint32_t i) { return i / 32 < b->n && ((b->w[i / 32] >> (i % 32)) & 1); }

inline int cmp(const Big* a, const Big* b) {
  if (a->n != b->n) return a->n < b->n ? -1 : 1;
  for (std::uint32_t i = a->n; i-- > 0;)
    if (a->w[i] != b->w[i]) return a->w[i] < b->w[i] ? -1 : 1;
  return 0;
}

inline Big* add(const Big* a, const Big* b) {
  Big* r = make(std::max(a->n, b->n) + 1);
  std::uint64_t carry = 0;
  for (std::uint32_t i = 0; i < r->n; ++i) {
    carry += std::uint64_t{i < a->n ? a->w[i] : 0} + (i < b->n ? b->w[i] : 0);
    r->w[i] = static_cast<std::uint32_t>(carry);
    carry >>= 32;
  }
  return seal(r);
}

// a - b, a >= b.
inline Big* sub(const Big* a, const Big* b) {
  Big* r = make(a->n);
  std::int64_t borrow = 0;
  for (std::uint32_t i = 0; i < a->n; ++i) {
    const std::int64_t v = std::int64_t{a->w[i]} - (i < b->n ? b->w[i] : 0) - borrow;
    borrow = v < 0;
    r->w[i] = static_cast<std::uint32_t>(v + (borrow << 32));
  }
  if (borrow) die("bignum sub: negative result");
  return seal(r);
}

inline Big* mul(const Big* a, const Big* b) {
  Big* r = make(a->n + b->n);
  for (std::uint32_t i = 0; i < a->n; ++i) {
    std::uint64_t carry = 0;
    for (std::uint32_t j = 0; j < b->n; ++j) {
      carry += std::uint64_t{a->w[i]} * b->w[j] + r->w[i + j];
      r->w[i + j] = static_cast<std::uint32_t>(carry);
      carry >>= 32;
    }
    r->w[i + b->n] = static_cast<std::uint32_t>(carry);
  }
  return seal(r);
}

// a / w, and a mod w in *rem.
inline Big* divmod_small(const Big* a, std::uint32_t w, std::uint32_t* rem) {
  Big* q = make(a->n);
  std::uint64_t r = 0;
  for (std::uint32_t i = a->n; i-- > 0;) {
    r = (r << 32) | a->w[i];
    q->w[i] = static_cast<std::uint32_t>(r / w);
    r %= w;
  }
  *rem = static_cast<std::uint32_t>(r);
  return seal(q);
}

// 2a + low.
inline Big* shl1_or(const Big* a, bool low) {
  Big* r = make(a->n + 1);
  std::uint32_t carry = low;
  for (std::uint32_t i = 0; i < a->n; ++i) {
    r->w[i] = (a->w[i] << 1) | carry;
    carry = a->w[i] >> 31;
  }
  r->w[a->n] = carry;
  return seal(r);
}

// Long division, one bit at a time: each step allocates the shifted
// remainder and, when it subtracts, the difference; the quotient is
// written into one object.
inline void divmod(const Big* a, const Big* b, Big** quotient, Big** remainder) {
  if (is_zero(b)) die("bignum division by zero");
  Big* q = make(std::max<std::uint32_t>(a->n, 1));
  Big* r = from_u64(0);
  for (std::uint32_t i = bits(a); i-- > 0;) {
    Big* shifted = shl1_or(r, bit(a, i));
    release(r);
    r = shifted;
    if (cmp(r, b) >= 0) {
      Big* diff = sub(r, b);
      release(r);
      r = diff;
      q->w[i / 32] |= 1u << (i % 32);
    }
  }
  *quotient = seal(q);
  if (remainder) *remainder = r;
  else release(r);
}

inline Big* div(const Big* a, const Big* b) {
  Big* q;
  divmod(a, b, &q, nullptr);
  return q;
}

inline Big* mod(const Big* a, const Big* b) {
  Big *q, *r;
  divmod(a, b, &q, &r);
  release(q);
  return r;
}

// floor(sqrt(n)) by Newton's iteration.
inline Big* isqrt(const Big* n) {
  if (is_zero(n)) return from_u64(0);
  const std::uint32_t e = (bits(n) + 1) / 2;  // 2^e >= sqrt(n): Newton descends from above
  Big* x = make(e / 32 + 1);
  x->w[e / 32] = 1u << (e % 32);
  x = seal(x);
  Big* two = from_u64(2);
  for (;;) {
    Big* q = div(n, x);
    Big* s = add(x, q);
    Big* y = div(s, two);
    release(q);
    release(s);
    if (cmp(y, x) >= 0) {
      release(y);
      break;
    }
    release(x);
    x = y;
  }
  release(two);
  return x;
}

}  // namespace stress::bignum
