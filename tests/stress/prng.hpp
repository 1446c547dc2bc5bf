#pragma once
// The stress programs' only source of randomness: a seeded generator, so a
// run is a pure function of its arguments and glibc's output can be the
// oracle for every other allocator's.
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace stress {

// splitmix64's finaliser: a bijective mix, also used to derive patterns and digests.
inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(mix64(seed)) {}
  // Several independent streams from one seed (one per thread, generation, ...).
  Rng(std::uint64_t seed, std::uint64_t stream) : state_(mix64(mix64(seed) ^ mix64(stream + 0x5851F42D4C957F2DULL))) {}

  std::uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
  // Uniform in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }
  // True with probability num / den.
  bool chance(std::uint64_t num, std::uint64_t den) { return below(den) < num; }
  // Log-uniform in [lo, hi]: as many requests between 16 and 32 bytes as
  // between 1 and 2 MiB, the shape of most programs' size histograms.
  std::size_t log_size(std::size_t lo, std::size_t hi) {
    const double a = std::log2(static_cast<double>(lo)), b = std::log2(static_cast<double>(hi) + 1.0);
    const double u = static_cast<double>(next() >> 11) * 0x1.0p-53;
    const auto n = static_cast<std::size_t>(std::exp2(a + (b - a) * u));
    return n < lo ? lo : n > hi ? hi : n;
  }

 private:
  std::uint64_t state_;
};

}  // namespace stress
