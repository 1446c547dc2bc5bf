#include "sim/backend/sim_os.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <bit>

namespace allocsim::sim {

SimulatedOs::SimulatedOs(allocator::OsLayer& real) : real_(real), page_(real.page_size()) {}

void* SimulatedOs::map_in_region(std::size_t bytes) {
  const std::uint64_t all = kRegionBytes / bytes == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << (kRegionBytes / bytes)) - 1;
  Region* r = nullptr;
  for (Region& candidate : regions_)
    if (candidate.slot_bytes == bytes && candidate.used != all) {
      r = &candidate;
      break;
    }
  if (!r) {
    void* base = real_.map(kRegionBytes, kRegionBytes);
    if (!base) return nullptr;
    ::madvise(base, kRegionBytes, MADV_HUGEPAGE);  // a hint: without THP these are 4 KiB pages
    r = &regions_.emplace_back(Region{reinterpret_cast<std::uintptr_t>(base), bytes, 0});
  }
  const int slot = std::countr_one(r->used);
  r->used |= std::uint64_t{1} << slot;
  return reinterpret_cast<void*>(r->base + slot * bytes);
}

bool SimulatedOs::unmap_in_region(void* address, std::size_t bytes) {
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    Region& r = regions_[i];
    if (a - r.base >= kRegionBytes) continue;
    r.used &= ~(std::uint64_t{1} << ((a - r.base) / r.slot_bytes));
    if (r.used == 0) {
      real_.unmap(reinterpret_cast<void*>(r.base), kRegionBytes);
      regions_.erase(regions_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      real_.purge(address, bytes);  // back to the OS, and zero when handed out again
    }
    return true;
  }
  return false;
}

void* SimulatedOs::map(std::size_t bytes, std::size_t alignment) {
  const bool in_region = bytes == alignment && std::has_single_bit(bytes) && bytes >= kRegionBytes / 64 && bytes <= kRegionBytes / 2;
  void* p = in_region ? map_in_region(bytes) : real_.map(bytes, alignment);
  if (!p) return nullptr;
  const auto base = reinterpret_cast<std::uintptr_t>(p);
  Mapping& m = maps_[base];
  m.base = base;
  m.bytes = bytes;
  m.bits.assign((bytes / page_ + 63) / 64, 0);
  m.touched = 0;
  mapped_ += bytes;
  window_mapped_ = std::max(window_mapped_, mapped_);
  mark(m, 0, 0);    // the allocator's metadata at the mapping's start
  return p;
}

void SimulatedOs::unmap(void* address, std::size_t bytes) {
  const auto it = maps_.find(reinterpret_cast<std::uintptr_t>(address));
  if (it != maps_.end()) {
    resident_ -= it->second.touched;
    mapped_ -= it->second.bytes;
    for (Mapping*& r : recent_)
      if (r == &it->second) r = nullptr;
    maps_.erase(it);
  }
  if (!unmap_in_region(address, bytes)) real_.unmap(address, bytes);
}

void SimulatedOs::purge(void* address, std::size_t bytes) {
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  if (Mapping* m = find(a); m && bytes) clear(*m, (a - m->base) / page_, (a + bytes - 1 - m->base) / page_);
  real_.purge(address, bytes);
}

std::size_t SimulatedOs::resident_pages(const void* address, std::size_t bytes) const {
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  auto it = maps_.upper_bound(a);
  if (it == maps_.begin() || bytes == 0) return 0;
  const Mapping& m = (--it)->second;
  if (a >= m.base + m.bytes) return 0;
  const std::size_t first = (a - m.base) / page_;
  const std::size_t last = std::min((a + bytes - 1 - m.base) / page_, m.bytes / page_ - 1);
  std::size_t n = 0;
  for (std::size_t i = first; i <= last; ++i) n += (m.bits[i / 64] >> (i % 64)) & 1;
  return n;
}

SimulatedOs::Mapping* SimulatedOs::find(std::uintptr_t a) {
  Mapping*& recent = recent_[(a >> kGranuleShift) % recent_.size()];
  if (recent && a - recent->base < recent->bytes) return recent;
  auto it = maps_.upper_bound(a);
  if (it == maps_.begin()) return nullptr;
  Mapping& m = (--it)->second;
  if (a - m.base >= m.bytes) return nullptr;
  return recent = &m;
}

void SimulatedOs::touch(const void* p, std::size_t bytes) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  Mapping* m = find(a);
  if (!m) return;
  const std::size_t first = (a - m->base) / page_;
  const std::size_t end = bytes ? a + bytes - 1 - m->base : a - m->base;
  mark(*m, first, std::min(end / page_, m->bytes / page_ - 1));
}

void SimulatedOs::mark(Mapping& m, std::size_t first, std::size_t last) {
  for (std::size_t i = first; i <= last; ++i) {
    std::uint64_t& word = m.bits[i / 64];
    const std::uint64_t bit = std::uint64_t{1} << (i % 64);
    if (word & bit) continue;
    word |= bit;
    ++m.touched;
    if (++resident_ > window_resident_) {
      window_resident_ = resident_;
      peak_ = std::max(peak_, resident_);
    }
  }
}

void SimulatedOs::clear(Mapping& m, std::size_t first, std::size_t last) {
  last = std::min(last, m.bytes / page_ - 1);
  for (std::size_t i = first; i <= last; ++i) {
    std::uint64_t& word = m.bits[i / 64];
    const std::uint64_t bit = std::uint64_t{1} << (i % 64);
    if (!(word & bit)) continue;
    word &= ~bit;
    --m.touched;
    --resident_;
  }
}

}  // namespace allocsim::sim
