#pragma once
// The memory check of every stress program. Each object is filled, when it
// is allocated, with a pattern derived from (object id, size), and verified
// in full before it is freed; after realloc, the preserved prefix is
// verified against the old pattern. A chunk handed out twice, overwritten
// by allocator metadata, or lost in a realloc copy shows up as a mismatch,
// which ends the program at once (status 1) with a message naming the
// object, its size and the offset of the first bad byte.
//
// Word i of the pattern is seed + i * stride (one add per 8 bytes, so the
// check costs about what a memcpy of the object does); every word differs,
// so a shifted or truncated copy fails too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "prng.hpp"

namespace stress {

// Set by each program's main, so a failure names the program.
inline const char* g_program = "stress";

[[noreturn]] inline void die(const char* what) {
  std::fprintf(stderr, "%s: %s\n", g_program, what);
  std::fflush(stderr);
  std::_Exit(1);
}

inline constexpr std::uint64_t kPatternStride = 0x9E3779B97F4A7C15ULL;

inline std::uint64_t pattern_seed(std::uint64_t id, std::size_t size) {
  return mix64(mix64(id) ^ (static_cast<std::uint64_t>(size) * 0xD6E8FEB86659FD93ULL));
}

inline unsigned char pattern_byte(std::uint64_t seed, std::size_t offset) {
  const std::uint64_t word = seed + (offset / 8) * kPatternStride;
  return static_cast<unsigned char>(word >> (8 * (offset % 8)));
}

// Writes the pattern of (id, size) into bytes [from, to) of p.
inline void fill_pattern_range(void* p, std::size_t from, std::size_t to, std::uint64_t id, std::size_t size) {
  auto* bytes = static_cast<unsigned char*>(p);
  const std::uint64_t seed = pattern_seed(id, size);
  std::size_t b = from;
  for (; b < to && b % 8; ++b) bytes[b] = pattern_byte(seed, b);
  std::uint64_t w = seed + (b / 8) * kPatternStride;
  for (; b + 8 <= to; b += 8, w += kPatternStride) std::memcpy(bytes + b, &w, 8);
  for (; b < to; ++b) bytes[b] = pattern_byte(seed, b);
}

inline void fill_pattern(void* p, std::size_t length, std::uint64_t id, std::size_t size) {
  fill_pattern_range(p, 0, length, id, size);
}

[[noreturn]] inline void report_mismatch(const unsigned char* bytes, std::size_t from, std::size_t to, std::uint64_t id,
                                         std::size_t size, const char* when) {
  const std::uint64_t seed = pattern_seed(id, size);
  std::size_t off = from;
  while (off < to && bytes[off] == pattern_byte(seed, off)) ++off;
  std::fprintf(stderr, "%s: object %llu (size %zu) corrupted at offset %zu (%s): byte 0x%02x, expected 0x%02x\n",
               g_program, static_cast<unsigned long long>(id), size, off, when, off < to ? bytes[off] : 0,
               off < to ? pattern_byte(seed, off) : 0);
  std::fflush(stderr);
  std::_Exit(1);
}

// Verifies bytes [from, to) of p against the pattern of (id, size).
inline void check_pattern_range(const void* p, std::size_t from, std::size_t to, std::uint64_t id, std::size_t size,
                                const char* when) {
  const auto* bytes = static_cast<const unsigned char*>(p);
  const std::uint64_t seed = pattern_seed(id, size);
  std::uint64_t bad = 0;
  std::size_t b = from;
  for (; b < to && b % 8; ++b) bad |= bytes[b] ^ pattern_byte(seed, b);
  std::uint64_t w = seed + (b / 8) * kPatternStride;
  for (; b + 8 <= to; b += 8, w += kPatternStride) {
    std::uint64_t got;
    std::memcpy(&got, bytes + b, 8);
    bad |= got ^ w;  // no branch per word: the loop vectorises
  }
  for (; b < to; ++b) bad |= bytes[b] ^ pattern_byte(seed, b);
  if (bad) report_mismatch(bytes, from, to, id, size, when);
}

inline void check_pattern(const void* p, std::size_t length, std::uint64_t id, std::size_t size, const char* when) {
  check_pattern_range(p, 0, length, id, size, when);
}

// What an object contributes to a program's checksum: independent of its
// address, so the sum over any set of objects is the same under every
// allocator and in every interleaving of threads.
inline std::uint64_t object_digest(std::uint64_t id, std::size_t size) {
  return mix64(id * 0xA24BAED4963EE407ULL + static_cast<std::uint64_t>(size));
}

}  // namespace stress
