// Dedicated mappings for requests above the largest size class.
//
// Each is a mapping of its own: a LargeMeta at its base, then the payload,
// preceded by a marker header (prev = kLargeMark, next = the payload's
// distance from the base). When every free unmapped its mapping and every
// realloc copied, a program that churns large buffers paid an mmap, a
// munmap (a TLB shootdown on every CPU the process runs on), fresh page
// faults and a full copy per operation: 5-7 times glibc's time. Two things
// remove most of that:
// - a freed mapping is kept in a cache of at most large_cache_bytes (none
//   under release_rule = always, which releases every free byte at once)
//   and serves later requests: the smallest that fits, split when it is
//   more than twice the request, else the largest, grown by remap (see
//   take_cached_large); calloc's memory is cleared there, since a fresh
//   mapping is the only one that reads as zero. The oldest cached mappings
//   are unmapped when a newer one needs the room.
// - realloc grows into a kept mapping that holds the new size (a copy
//   into resident pages), else with OsLayer::remap (mremap): the kernel
//   moves page-table entries instead of copying bytes. A growing mapping
//   grows by a quarter at least, so a buffer grown by small appends is
//   remapped once per quarter of its size, not once per append. A shrink
//   cuts the tail off as a mapping of its own, kept or unmapped as a freed
//   one would be: no system call while the cache has room.
#include <algorithm>
#include <cstring>
#include <mutex>

#include "allocator/fatal.hpp"
#include "allocator/heap.hpp"
#include "allocator/mapping_list.hpp"

namespace allocsim::allocator {
namespace {

std::uint64_t round_up(std::uint64_t n, std::uint64_t to) { return (n + to - 1) & ~(to - 1); }

char* payload_of(LargeMeta* meta, std::uint64_t offset) { return reinterpret_cast<char*>(meta) + offset; }

}  // namespace

LargeMeta* Heap::large_meta(ChunkHeader* marker, const char* call) const {
  auto* meta = reinterpret_cast<LargeMeta*>(marker->bytes() + kHeaderBytes - marker->size());
  if (meta->magic != kLargeMagic)
    fatal("allocsim: %s(%p): not a pointer this heap handed out (%s)", call,
          static_cast<void*>(marker->bytes() + kHeaderBytes),
          meta->magic == kLargeCachedMagic ? "large mapping already freed" : "bad large-mapping header");
  return meta;
}

// The smallest kept mapping that holds `bytes` at `align`. One more than
// twice the request is split: the front serves it and the rest stays kept
// (what would otherwise be wasted in it is not, and no page is faulted in
// afresh). With none large enough, the largest kept mapping is handed out
// to grow (when `grow` asks for that, page-aligned requests only; *grow
// says whether it is so): remapping it keeps the
// pages it already has resident, where a fresh mapping faults in all of
// them. Called with blocks_mutex_ held.
LargeMeta* Heap::take_cached_large(std::uint64_t bytes, std::uint64_t align, bool* grow) {
  LargeMeta* best = nullptr;
  LargeMeta* largest = nullptr;
  for (LargeMeta* l = large_cache_; l; l = l->next) {
    if (reinterpret_cast<std::uintptr_t>(l) % align != 0) continue;
    if (l->bytes >= bytes && (!best || l->bytes < best->bytes)) best = l;
    if (!largest || l->bytes > largest->bytes) largest = l;
  }
  const bool grows = grow && (*grow = !best && largest && align <= os_.page_size());
  LargeMeta* taken = best ? best : grows ? largest : nullptr;
  if (!taken) return nullptr;
  unlink(large_cache_, taken);
  large_cached_bytes_ -= taken->bytes;
  taken->magic = kLargeMagic;
  if (!grows) ++large_reuses_;  // a grown one counts once the remap worked
  if (taken->bytes / 2 > bytes) {
    auto* rest = reinterpret_cast<LargeMeta*>(reinterpret_cast<char*>(taken) + bytes);
    rest->bytes = taken->bytes - bytes;
    rest->magic = kLargeCachedMagic;
    link_front(large_cache_, rest);
    large_cached_bytes_ += rest->bytes;
    taken->bytes = bytes;
    ++large_count_;
  }
  return taken;
}

void* Heap::allocate_large(std::uint64_t n, std::uint64_t align, std::uint32_t thread, bool zeroed) {
  const std::uint64_t page = os_.page_size();
  align = std::max<std::uint64_t>(align, kUnit);
  if (n > (UINT64_MAX >> 2) || align > (UINT64_MAX >> 4)) return nullptr;
  const std::uint64_t offset = round_up(sizeof(LargeMeta) + kHeaderBytes, align);
  if (offset / kUnit > 0xfffffff0u) return nullptr;
  const std::uint64_t bytes = round_up(offset + n, page);
  const std::uint64_t base_align = std::max(page, align);
  LargeMeta* meta = nullptr;
  bool grow = false;
  std::uint64_t kept = 0;  // bytes of a grown mapping that were not fresh (calloc clears only those)
  {
    std::lock_guard lock(blocks_mutex_);
    meta = take_cached_large(bytes, base_align, &grow);
    if (meta && !grow) link_front(larges_, meta);
  }
  if (grow) {
    kept = meta->bytes;
    LargeMeta* moved = remap_large(meta, bytes, /*reuse=*/true, thread);
    if (!moved) keep_or_unmap(meta, /*listed=*/false, thread);  // back where it was taken from
    meta = moved;
  }
  const bool reused = meta != nullptr;
  if (!meta) {
    meta = static_cast<LargeMeta*>(os_.map(bytes, base_align));
    if (!meta) return nullptr;
    meta->magic = kLargeMagic;
    meta->bytes = bytes;
    {
      std::lock_guard lock(blocks_mutex_);
      link_front(larges_, meta);
      ++large_count_;
      large_bytes_ += bytes;
      ++os_maps_;
    }
    account_map(bytes);
    emit({HeapEventKind::OsMap, kNoClass, thread, bytes, 1, 0});
  }
  meta->requested = n;
  char* payload = payload_of(meta, offset);
  ChunkHeader::of_payload(payload)->set(kLargeMark, std::uint32_t(offset / kUnit));
  if (reused && zeroed) std::memset(payload, 0, kept ? std::min<std::uint64_t>(n, kept - std::min(kept, offset)) : n);
  return payload;
}

void* Heap::reallocate_large(ChunkHeader* marker, std::uint64_t n, std::uint32_t thread) {
  LargeMeta* meta = large_meta(marker, "realloc");
  const std::uint64_t offset = marker->size(), page = os_.page_size();
  if (n > (UINT64_MAX >> 2)) return nullptr;
  const std::uint64_t need = round_up(offset + n, page), old = meta->bytes;
  if (need <= old) {  // a shrink: the tail becomes a mapping of its own, kept or unmapped like a freed one
    meta->requested = n;
    if (need < old) {
      auto* tail = reinterpret_cast<LargeMeta*>(reinterpret_cast<char*>(meta) + need);
      tail->bytes = old - need;
      {
        std::lock_guard lock(blocks_mutex_);
        meta->bytes = need;
        ++large_count_;
        ++large_remaps_;
      }
      keep_or_unmap(tail, /*listed=*/false, thread);
    }
    return payload_of(meta, offset);
  }
  const std::uint64_t want = std::max(need, round_up(old + old / 4, page));
  // A kept mapping that holds the grown buffer takes it by a copy: its pages
  // are resident, and copying a page costs less than faulting in a fresh
  // one, which growing by remap does for every page added.
  LargeMeta* kept = nullptr;
  {
    std::lock_guard lock(blocks_mutex_);
    kept = take_cached_large(want, page, nullptr);
    if (kept) link_front(larges_, kept);
  }
  if (kept) {
    char* payload = payload_of(kept, offset);
    std::memcpy(payload, payload_of(meta, offset), old - offset);  // all of it usable (malloc_usable_size)
    kept->requested = n;
    ChunkHeader::of_payload(payload)->set(kLargeMark, std::uint32_t(offset / kUnit));
    keep_or_unmap(meta, /*listed=*/true, thread);
    return payload;
  }
  {
    std::lock_guard lock(blocks_mutex_);
    unlink(larges_, meta);
  }
  LargeMeta* moved = remap_large(meta, want, /*reuse=*/false, thread);
  if (!moved) {
    std::lock_guard lock(blocks_mutex_);
    link_front(larges_, meta);
    return nullptr;
  }
  moved->requested = n;
  return payload_of(moved, offset);
}

// Grows `meta` (in no list) to `bytes` with OsLayer::remap; the moved
// mapping joins the in-use list, counted as a remap (and a reuse when it
// came from the cache). nullptr, with `meta` untouched, when the OS layer
// cannot.
LargeMeta* Heap::remap_large(LargeMeta* meta, std::uint64_t bytes, bool reuse, std::uint32_t thread) {
  const std::uint64_t old = meta->bytes;
  auto* moved = static_cast<LargeMeta*>(os_.remap(meta, old, bytes));
  if (!moved) return nullptr;
  moved->bytes = bytes;
  {
    std::lock_guard lock(blocks_mutex_);
    link_front(larges_, moved);
    large_bytes_ += bytes - old;
    ++large_remaps_;
    if (reuse) ++large_reuses_;
  }
  // Not under blocks_mutex_: a new peak reads the footprint, which takes it.
  account_map(bytes - old);
  emit({HeapEventKind::OsMap, kNoClass, thread, bytes - old, 1, 0});
  return moved;
}

void Heap::free_large(ChunkHeader* marker, std::uint32_t thread) { keep_or_unmap(large_meta(marker, "free"), true, thread); }

void Heap::keep_or_unmap(LargeMeta* meta, bool listed, std::uint32_t thread) {
  const std::uint64_t bytes = meta->bytes;
  const bool keep = config_.release_rule != ReleaseRule::Always && bytes <= config_.large_cache_bytes;
  LargeMeta* release = nullptr;  // mappings to unmap once the lock is dropped, linked through next
  auto drop = [&](LargeMeta* l) {
    l->magic = 0;
    l->next = release;
    release = l;
    --large_count_;
    large_bytes_ -= l->bytes;
    ++os_unmaps_;
  };
  {
    std::lock_guard lock(blocks_mutex_);
    if (listed) unlink(larges_, meta);
    if (keep) {
      while (large_cached_bytes_ + bytes > config_.large_cache_bytes) {  // the oldest make room
        LargeMeta* oldest = large_cache_;
        while (oldest->next) oldest = oldest->next;
        unlink(large_cache_, oldest);
        large_cached_bytes_ -= oldest->bytes;
        drop(oldest);
      }
      meta->magic = kLargeCachedMagic;
      link_front(large_cache_, meta);
      large_cached_bytes_ += bytes;
    } else {
      drop(meta);
    }
  }
  while (release) {
    LargeMeta* l = release;
    release = l->next;
    const std::uint64_t b = l->bytes;
    os_.unmap(l, b);
    account_unmap(b);
    emit({HeapEventKind::OsRelease, kNoClass, thread, b, 1, 0});
  }
}

}  // namespace allocsim::allocator
