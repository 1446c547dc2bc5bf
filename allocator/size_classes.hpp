#pragma once
// Size classes of chunks. A chunk's size includes its 8-byte header and is
// a multiple of 16; the smallest chunk is 32 bytes, because a free chunk
// must hold the merge set's two intrusive hooks (24 bytes) in its payload.
//
// Table (defaults): 32, 48, ... 128 in 16-byte steps, then 4 classes per
// doubling up to page_bytes (64 KiB). Free chunks larger than page_bytes
// belong to the top "span" class (index count()), which has no ready queue.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "allocator/config.hpp"

namespace allocsim::allocator {

inline constexpr std::uint64_t kHeaderBytes = 8;
inline constexpr std::uint64_t kMinChunk = 32;
inline constexpr std::uint64_t kUnit = 16;  // headers store offsets in these units

class SizeClasses {
 public:
  explicit SizeClasses(const Config& config);

  // Number of classes with a ready queue; the span class is index count().
  std::uint32_t count() const { return static_cast<std::uint32_t>(sizes_.size()); }
  std::uint32_t span_class() const { return count(); }
  std::uint64_t size(std::uint32_t c) const { return sizes_[c]; }
  std::uint64_t largest() const { return sizes_.back(); }

  // Chunk size needed for a request of n payload bytes; 0 if it overflows.
  static std::uint64_t chunk_for(std::uint64_t n) {
    if (n > (UINT64_MAX >> 1)) return 0;
    const std::uint64_t c = (n + kHeaderBytes + kUnit - 1) & ~(kUnit - 1);
    return c < kMinChunk ? kMinChunk : c;
  }
  // Smallest class whose chunks hold `chunk` bytes (chunk <= largest()).
  std::uint32_t ceil_class(std::uint64_t chunk) const { return ceil_table()[(chunk - 1) / kUnit]; }
  // The tables behind ceil_class and floor_class, for a fast path that
  // keeps them at hand: ceil by (chunk - 1) / 16, floor by chunk / 16,
  // both for chunk <= largest().
  const std::uint8_t* ceil_table() const { return tables_.data() + ceil_at_; }
  const std::uint8_t* floor_table() const { return tables_.data() + floor_at_; }
  // Largest class a free chunk of `chunk` bytes can serve; span_class() above largest().
  std::uint32_t floor_class(std::uint64_t chunk) const {
    return chunk > largest() ? span_class() : floor_table()[chunk / kUnit];
  }

 private:
  std::vector<std::uint64_t> sizes_;
  // Both tables in one buffer, starting at a fixed page offset (see the
  // .cpp): ceil by (chunk - 1) / 16 at ceil_at_, floor by chunk / 16 at floor_at_.
  std::vector<std::uint8_t> tables_;
  std::size_t ceil_at_ = 0, floor_at_ = 0;
};

}  // namespace allocsim::allocator
