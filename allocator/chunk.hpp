#pragma once
// Blocks and chunk headers: the memory layout the whole core agrees on.
//
// A block is block_bytes from the OS, aligned to block_bytes:
//
//   base: BlockMeta (56 bytes) | hdr | payload ... | hdr | payload ... | sentinel hdr
//                               ^ base+56           16-byte aligned      ^ base+block_bytes-8
//
// Each chunk starts with an 8-byte header {prev, next}: distances in
// 16-byte units to the previous and next chunk headers. The first chunk has
// prev = 0; the sentinel header at the block's end has next = 0. A chunk's
// size (header included) is next * 16.
//
// Who may write a header field: `next` of a chunk and `prev` of its
// successor belong to the chunk's current owner (a mutator while in use or
// while carving its fresh region, the collector while free). Fields are
// relaxed atomics because the collector may read a neighbour's header
// while its owner writes it; such a read only feeds a hash-set lookup
// that fails for chunks the collector does not own.
//
// Two header forms mark pointers that are not at a chunk start:
//   prev == kAlignedMark: an over-aligned payload inside a chunk; the chunk's
//                         payload is next * 16 bytes below.
//   prev == kLargeMark:   a dedicated mapping; its LargeMeta is next * 16 bytes below.
#include <atomic>
#include <cstdint>

#include "allocator/size_classes.hpp"

namespace allocsim::allocator {

inline constexpr std::uint32_t kAlignedMark = 0xffffffffu;
inline constexpr std::uint32_t kLargeMark = 0xfffffffeu;
inline constexpr std::uint64_t kBlockMagic = 0x6b636f6c42534c41ull;  // "ALSBlock"
inline constexpr std::uint64_t kLargeMagic = 0x656772614c534c41ull;  // "ALSLarge"
// A freed large mapping kept for reuse carries this one instead, so a
// second free of its old payload is caught instead of caching it twice.
inline constexpr std::uint64_t kLargeCachedMagic = 0x64686361434c4c41ull;  // "ALLCachd"

struct ChunkHeader {
  std::atomic<std::uint32_t> prev;
  std::atomic<std::uint32_t> next;

  std::uint64_t size() const { return std::uint64_t(next.load(std::memory_order_relaxed)) * kUnit; }
  std::uint32_t prev_units() const { return prev.load(std::memory_order_relaxed); }
  void set(std::uint32_t p, std::uint32_t n) {
    prev.store(p, std::memory_order_relaxed);
    next.store(n, std::memory_order_relaxed);
  }
  void set_next(std::uint64_t bytes) { next.store(std::uint32_t(bytes / kUnit), std::memory_order_relaxed); }
  void set_prev(std::uint64_t bytes) { prev.store(std::uint32_t(bytes / kUnit), std::memory_order_relaxed); }

  char* bytes() { return reinterpret_cast<char*>(this); }
  const char* bytes() const { return reinterpret_cast<const char*>(this); }
  void* payload() { return bytes() + kHeaderBytes; }
  ChunkHeader* successor() { return at(bytes() + size()); }
  ChunkHeader* predecessor() { return at(bytes() - std::uint64_t(prev_units()) * kUnit); }

  static ChunkHeader* at(void* p) { return static_cast<ChunkHeader*>(p); }
  static ChunkHeader* at(char* p) { return reinterpret_cast<ChunkHeader*>(p); }
  static ChunkHeader* of_payload(void* payload) { return at(static_cast<char*>(payload) - kHeaderBytes); }
};
static_assert(sizeof(ChunkHeader) == kHeaderBytes);

// Lives at the base of every block.
struct BlockMeta {
  std::uint64_t magic;
  std::uint64_t stamp;  // creation sequence number: the "age" for oldest-block ordering
  std::uint64_t bytes;
  BlockMeta* prev;      // the heap's list of blocks (guarded by the heap's mutex)
  BlockMeta* next;
  std::uint64_t reserved[2];

  static constexpr std::uint64_t kFirstHeader = 56;
  ChunkHeader* first() { return ChunkHeader::at(reinterpret_cast<char*>(this) + kFirstHeader); }
  ChunkHeader* sentinel() { return ChunkHeader::at(reinterpret_cast<char*>(this) + bytes - kHeaderBytes); }
  std::uint64_t first_chunk_bytes() const { return bytes - kFirstHeader - kHeaderBytes; }
  std::uint64_t offset_of(const void* p) const {
    return std::uint64_t(static_cast<const char*>(p) - reinterpret_cast<const char*>(this));
  }
  static BlockMeta* of(const void* p, std::uint64_t block_bytes) {
    return reinterpret_cast<BlockMeta*>(reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t(block_bytes - 1));
  }
};
static_assert(sizeof(BlockMeta) == BlockMeta::kFirstHeader);

// Lives at the base of every dedicated (large) mapping.
struct LargeMeta {
  std::uint64_t magic;
  std::uint64_t bytes;      // the whole mapping
  std::uint64_t requested;  // payload bytes asked for
  LargeMeta* prev;
  LargeMeta* next;
  std::uint64_t reserved;
};
static_assert(sizeof(LargeMeta) % 16 == 0);

}  // namespace allocsim::allocator
