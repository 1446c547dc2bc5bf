#pragma once
// The tiny OS layer the heap gets its memory through. The real one uses
// mmap/munmap/madvise/mincore; tests substitute doubles that fail on demand
// or count pages. Only heap memory (blocks and large mappings) goes through
// it; the heap's own metadata is mapped directly (see internal_memory.hpp).
#include <cstddef>
#include <cstdint>

namespace allocsim::allocator {

class OsLayer {
 public:
  virtual ~OsLayer() = default;
  // Maps `bytes` (a multiple of page_size()) of zeroed read/write memory
  // aligned to `alignment` (a power of two >= page_size()). Returns nullptr
  // on failure; never throws.
  virtual void* map(std::size_t bytes, std::size_t alignment) = 0;
  // Unmaps exactly a range returned by map() or remap().
  virtual void unmap(void* address, std::size_t bytes) = 0;
  // Resizes a mapping returned by map() or remap() to new_bytes (a multiple
  // of page_size()), moving it if it cannot grow in place; the contents up
  // to the smaller size are kept without a copy, pages past the old size
  // read as zero. The result is only page aligned. Returns nullptr (the
  // mapping unchanged) when the layer cannot: the caller then copies. The
  // default cannot, so a layer that counts pages need not model a move.
  virtual void* remap(void* address, std::size_t old_bytes, std::size_t new_bytes) { return nullptr; }
  // Gives the pages of [address, address + bytes) back; they read as zero
  // afterwards. Page-aligned range inside a mapping.
  virtual void purge(void* address, std::size_t bytes) = 0;
  // Pages of the page-aligned range currently resident in memory.
  virtual std::size_t resident_pages(const void* address, std::size_t bytes) const = 0;
  virtual std::size_t page_size() const = 0;
  // The heap itself wrote into [address, address + bytes), at least once in
  // every page of it: headers of chunks it cut, a block's end sentinel. A
  // layer that counts touched pages (the replay's simulated RSS) counts
  // them; the real one has nothing to do.
  virtual void wrote(const void* address, std::size_t bytes) {}
};

// The process's real memory. Stateless; one shared instance.
OsLayer& system_os();

}  // namespace allocsim::allocator
