// A workload shaped like mimalloc-bench's cfrac (factoring by continued
// fractions), written from the description of its allocation behaviour:
// bignum arithmetic where every operation allocates its result, so nearly
// all allocations are small (32..80 bytes) and die within a few operations;
// a handful of numbers live for one step of the expansion; the program is
// single-threaded and its live heap stays tiny.
//
// For `numbers` random odd `bits`-bit N it expands sqrt(N) as a continued
// fraction for `steps` steps (m' = d a - m, d' = (N - m'^2) / d,
// a' = (a0 + m') / d'), keeps the convergent numerator A mod N, and trial-
// divides each Q = d' by a factor base of `primes` primes p with
// (N/p) != -1, counting the Q that factor completely. Every number is a
// patterned object (bignum.hpp), checked when freed.
#include <vector>

#include "bignum.hpp"
#include "summary.hpp"

namespace {

namespace bn = stress::bignum;
using bn::Big;

std::uint64_t pow_mod(std::uint64_t b, std::uint64_t e, std::uint64_t m) {
  std::uint64_t r = 1;
  for (b %= m; e; e >>= 1, b = b * b % m)
    if (e & 1) r = r * b % m;
  return r;
}

bool is_prime(std::uint32_t p) {
  if (p < 2) return false;
  for (std::uint32_t q = 2; q * q <= p; ++q)
    if (p % q == 0) return false;
  return true;
}

// Primes p with N a square or zero mod p (Legendre symbol != -1); 2 always.
std::vector<std::uint32_t> factor_base(const Big* n, std::size_t count) {
  std::vector<std::uint32_t> base{2};
  for (std::uint32_t p = 3; base.size() < count; p += 2) {
    if (!is_prime(p)) continue;
    std::uint32_t rem;
    bn::release(bn::divmod_small(n, p, &rem));
    if (rem == 0 || pow_mod(rem, (p - 1) / 2, p) == 1) base.push_back(p);
  }
  return base;
}

// True when q is a product of the base's primes. Every trial division
// allocates its quotient, kept only when the prime divides.
bool smooth(const Big* q, const std::vector<std::uint32_t>& base) {
  const Big* rest = q;
  Big* owned = nullptr;
  for (std::uint32_t p : base) {
    for (;;) {
      std::uint32_t rem;
      Big* quotient = bn::divmod_small(rest, p, &rem);
      if (rem != 0) {
        bn::release(quotient);
        break;
      }
      if (owned) bn::release(owned);
      rest = owned = quotient;
    }
  }
  const bool one = bn::is_one(rest);
  if (owned) bn::release(owned);
  return one;
}

struct Totals {
  std::uint64_t steps = 0, smooth = 0, checksum = 0;
};

// A random odd number of exactly `bits` bits that is not a perfect square.
Big* random_n(stress::Rng& rng, std::uint32_t bits) {
  Big* n = bn::make((bits + 31) / 32);
  for (std::uint32_t i = 0; i < n->n; ++i) n->w[i] = static_cast<std::uint32_t>(rng.next());
  const std::uint32_t top = (bits - 1) % 32;
  n->w[n->n - 1] &= top == 31 ? ~0u : (2u << top) - 1;
  n->w[n->n - 1] |= 1u << top;
  n->w[0] |= 1;
  return bn::seal(n);
}

void expand(Big* n, std::uint64_t steps, std::size_t primes, Totals& t) {
  const std::vector<std::uint32_t> base = factor_base(n, primes);
  Big* a0 = bn::isqrt(n);
  Big* m = bn::from_u64(0);
  Big* d = bn::from_u64(1);
  Big* a = bn::add(a0, m);       // a = a0 (a copy: a0 lives for the whole expansion)
  Big* prev = bn::from_u64(1);   // A(k-2)
  Big* cur = bn::mod(a0, n);     // A(k-1)
  for (std::uint64_t k = 0; k < steps; ++k) {
    Big* da = bn::mul(d, a);
    Big* m_next = bn::sub(da, m);
    Big* m2 = bn::mul(m_next, m_next);
    Big* num = bn::sub(n, m2);
    Big* d_next = bn::div(num, d);
    Big* sum = bn::add(a0, m_next);
    Big* a_next = bn::div(sum, d_next);
    for (Big* dead : {da, m2, num, sum, m, d, a}) bn::release(dead);
    m = m_next, d = d_next, a = a_next;
    // A(k) = a A(k-1) + A(k-2) mod N
    Big* prod = bn::mul(a, cur);
    Big* total = bn::add(prod, prev);
    Big* next = bn::mod(total, n);
    for (Big* dead : {prod, total, prev}) bn::release(dead);
    prev = cur, cur = next;
    if (smooth(d, base)) ++t.smooth;
    t.checksum = stress::mix64(t.checksum ^ bn::low64(a)) + bn::low64(cur);
    ++t.steps;
  }
  for (Big* dead : {a0, m, d, a, prev, cur}) bn::release(dead);
}

}  // namespace

int main(int argc, char** argv) {
  const stress::Params params(argc, argv, "stress_cfrac_like",
                              "cfrac-shaped: bignum continued-fraction expansion, many small short-lived objects.",
                              {{"numbers", 12, 200, "numbers to expand"},
                               {"steps", 150, 150, "continued-fraction steps per number"},
                               {"bits", 200, 200, "size of each number"},
                               {"primes", 60, 60, "factor base size"},
                               {"seed", 1, 1, "random seed"}});
  if (params["bits"] < 8 || params["primes"] < 1) stress::die("bad parameters");
  stress::Rng rng(params["seed"]);
  Totals t;
  for (long long i = 0; i < params["numbers"]; ++i) {
    Big* n = random_n(rng, static_cast<std::uint32_t>(params["bits"]));
    expand(n, params["steps"], params.size("primes"), t);
    bn::release(n);
  }
  const auto& c = bn::g_counters;
  stress::print_summary(params, {{"steps", t.steps}, {"smooth", t.smooth}, {"allocs", c.allocs}, {"frees", c.frees},
                                 {"checksum", t.checksum}});
  return c.allocs == c.frees ? 0 : 1;
}
