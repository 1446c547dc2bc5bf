#pragma once
// The random source of the synthetic generators, identical on every
// platform: std::mt19937_64's output sequence is fixed by the C++ standard,
// but std::uniform_int_distribution and friends are not (each standard
// library maps engine output to a range its own way). So every draw below
// is plain integer arithmetic on the raw 64-bit output, and no generator
// uses floating point: the same seed gives the same trace bytes with any
// compiler, library or CPU.
#include <cstdint>
#include <random>

namespace allocsim::traces {

class GenRandom {
 public:
  explicit GenRandom(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }

  // Uniform in [0, n), n > 0. Rejection sampling removes the modulo bias:
  // outputs below 2^64 mod n would make small values slightly likelier.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // == 2^64 mod n
    for (;;) {
      const std::uint64_t x = engine_();
      if (x >= threshold) return x % n;
    }
  }

  // Uniform in [lo, hi], lo <= hi.
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) {
    if (hi - lo == UINT64_MAX) return engine_();
    return lo + below(hi - lo + 1);
  }

  // True with probability percent/100.
  bool chance(std::uint32_t percent) { return below(100) < percent; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace allocsim::traces
