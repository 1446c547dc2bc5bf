#pragma once
// An OS layer that forwards to the real one and counts, deterministically,
// the pages the replay has touched: the virtual replay's "simulated RSS".
//
// A page counts from the first time a chunk covering it is handed out (its
// header, plus the payload as the replay's touch knob says) until its
// mapping is unmapped or the page is purged, and so does every page the
// allocator writes on its own (the first page of a mapping, a block's end
// sentinel, the headers of chunks it cuts for its queues and of a fallback
// block's tail: OsLayer::wrote). Page numbers are offsets inside each
// mapping, and mappings are page aligned, so the count does not depend on
// where the kernel put them.
//
// Blocks (mappings whose size is a power of two that divides 2 MiB, aligned
// to their size) are placed in shared 2 MiB regions that the kernel may
// back with transparent huge pages; a block given back is purged, so it
// reads as zero when handed out again, and a region is unmapped with its
// last block. Only the host's real RSS sees the difference.
//
// Single-threaded: the virtual replay only.
#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "allocator/os_layer.hpp"

namespace allocsim::sim {

class SimulatedOs final : public allocator::OsLayer {
 public:
  explicit SimulatedOs(allocator::OsLayer& real);

  void* map(std::size_t bytes, std::size_t alignment) override;
  void unmap(void* address, std::size_t bytes) override;
  void purge(void* address, std::size_t bytes) override;
  // Simulated: pages of the range counted as touched.
  std::size_t resident_pages(const void* address, std::size_t bytes) const override;
  std::size_t page_size() const override { return page_; }
  void wrote(const void* address, std::size_t bytes) override { touch(address, bytes); }

  // Marks the pages of [p, p + bytes) touched (bytes may be 0: p's page).
  void touch(const void* p, std::size_t bytes);
  std::uint64_t resident_bytes() const { return resident_ * page_; }
  std::uint64_t peak_resident_bytes() const { return peak_ * page_; }

  // The largest mapped and resident bytes since the last call (or since
  // construction); the next window starts at the current values. Mapped
  // bytes are what the allocator mapped through this layer: its footprint.
  struct Peaks {
    std::uint64_t mapped = 0, resident = 0;
  };
  Peaks take_peaks() {
    const Peaks p{window_mapped_, window_resident_ * page_};
    window_mapped_ = mapped_;
    window_resident_ = resident_;
    return p;
  }

 private:
  struct Mapping {
    std::uintptr_t base = 0;
    std::size_t bytes = 0;
    std::vector<std::uint64_t> bits;  // one per page: touched
    std::size_t touched = 0;
  };
  Mapping* find(std::uintptr_t a);
  void mark(Mapping& m, std::size_t first, std::size_t last);
  void clear(Mapping& m, std::size_t first, std::size_t last);

  // A replay reads chunk headers all over its footprint: with 4 KiB pages
  // the kernel's page faults and the TLB misses cost it several percent.
  struct Region {
    std::uintptr_t base = 0;
    std::size_t slot_bytes = 0;
    std::uint64_t used = 0;  // a bit per slot of slot_bytes
  };
  static constexpr std::size_t kRegionBytes = std::size_t{2} << 20;
  void* map_in_region(std::size_t bytes);
  bool unmap_in_region(void* address, std::size_t bytes);
  std::vector<Region> regions_;

  allocator::OsLayer& real_;
  const std::size_t page_;
  std::map<std::uintptr_t, Mapping> maps_;
  // Direct-mapped cache of mappings by 1 MiB granule of address, in front of
  // the map: a replay touches a few dozen blocks in turn, and a tree walk
  // for each switch cost more than the rest of touch().
  static constexpr unsigned kGranuleShift = 20;
  std::array<Mapping*, 256> recent_{};
  std::uint64_t resident_ = 0, peak_ = 0, window_resident_ = 0;  // pages
  std::uint64_t mapped_ = 0, window_mapped_ = 0;                 // bytes
};

}  // namespace allocsim::sim
