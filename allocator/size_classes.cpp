#include "allocator/size_classes.hpp"

namespace allocsim::allocator {

SizeClasses::SizeClasses(const Config& config) {
  for (std::uint64_t s = kMinChunk; s <= config.small_limit && s <= config.page_bytes; s += config.small_step)
    sizes_.push_back(s);
  std::uint64_t base = sizes_.empty() ? kMinChunk : sizes_.back();
  while (base < config.page_bytes) {
    const std::uint64_t step = base / config.classes_per_doubling;
    for (std::uint64_t i = 1; i <= config.classes_per_doubling; ++i) {
      const std::uint64_t s = (base + i * step + kUnit - 1) & ~(kUnit - 1);
      if (s > config.page_bytes) break;
      if (s > sizes_.back()) sizes_.push_back(s);
    }
    base *= 2;
  }
  if (sizes_.back() != config.page_bytes) sizes_.push_back(config.page_bytes);
  // uint8_t tables: at most 255 classes, far above any sane configuration.
  if (sizes_.size() > 255) throw ConfigError("size-class table has more than 255 classes");

  // The tables start at page offset 2048 whatever malloc placed the buffer
  // at. A page-aligned table (jemalloc, mimalloc and tcmalloc give one)
  // puts ceil(16-byte request) at page offset 1, where a thread's class-0
  // cache count sits in its page-aligned cache array: each allocation then
  // loaded right after a store with the same low 12 address bits (4K
  // aliasing), and the 16-byte fast path ran ~15 % slower under those
  // allocators than under glibc (docs/bench-core.md).
  constexpr std::uintptr_t kPage = 4096, kTableOffset = 2048;
  const std::uint64_t units = largest() / kUnit + 1;
  tables_.assign(kPage + 2 * units, 0);
  ceil_at_ = (kTableOffset - reinterpret_cast<std::uintptr_t>(tables_.data()) % kPage + kPage) % kPage;
  floor_at_ = ceil_at_ + units;
  std::uint8_t* const ceil = tables_.data() + ceil_at_;
  std::uint8_t* const floor = tables_.data() + floor_at_;
  std::uint32_t c = 0;
  for (std::uint64_t u = 0; u < units; ++u) {  // (chunk - 1) / 16 == u  <=>  chunk in (16u, 16u + 16]
    while (c + 1 < count() && sizes_[c] < (u + 1) * kUnit) ++c;
    ceil[u] = static_cast<std::uint8_t>(c);
  }
  c = 0;
  for (std::uint64_t u = 0; u < units; ++u) {  // chunk == 16u
    while (c + 1 < count() && sizes_[c + 1] <= u * kUnit) ++c;
    floor[u] = static_cast<std::uint8_t>(c);
  }
}

}  // namespace allocsim::allocator
