#include "allocator/os_layer.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

namespace allocsim::allocator {
namespace {

class SystemOs final : public OsLayer {
 public:
  SystemOs() : page_(static_cast<std::size_t>(sysconf(_SC_PAGESIZE))) {}

  void* map(std::size_t bytes, std::size_t alignment) override {
    if (bytes == 0 || bytes > (SIZE_MAX >> 2) || alignment > (SIZE_MAX >> 2)) return nullptr;
    if (alignment <= page_) return raw_map(bytes);
    // Over-map, then trim the head and tail so the result is aligned.
    const std::size_t span = bytes + alignment;
    auto* raw = static_cast<char*>(raw_map(span));
    if (!raw) return nullptr;
    const auto base = reinterpret_cast<std::uintptr_t>(raw);
    const auto aligned = (base + alignment - 1) & ~(std::uintptr_t(alignment) - 1);
    const std::size_t head = aligned - base;
    if (head) munmap(raw, head);
    const std::size_t tail = span - head - bytes;
    if (tail) munmap(reinterpret_cast<char*>(aligned) + bytes, tail);
    return reinterpret_cast<void*>(aligned);
  }

  void unmap(void* address, std::size_t bytes) override { munmap(address, bytes); }

  void* remap(void* address, std::size_t old_bytes, std::size_t new_bytes) override {
    if (new_bytes == 0 || new_bytes > (SIZE_MAX >> 2)) return nullptr;
    void* p = mremap(address, old_bytes, new_bytes, MREMAP_MAYMOVE);
    return p == MAP_FAILED ? nullptr : p;
  }

  void purge(void* address, std::size_t bytes) override { madvise(address, bytes, MADV_DONTNEED); }

  std::size_t resident_pages(const void* address, std::size_t bytes) const override {
    const std::size_t pages = (bytes + page_ - 1) / page_;
    std::vector<unsigned char> vec(pages);
    if (mincore(const_cast<void*>(address), bytes, vec.data()) != 0) return 0;
    std::size_t n = 0;
    for (unsigned char v : vec) n += v & 1;
    return n;
  }

  std::size_t page_size() const override { return page_; }

 private:
  static void* raw_map(std::size_t bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  std::size_t page_;
};

}  // namespace

OsLayer& system_os() {
  static SystemOs os;
  return os;
}

}  // namespace allocsim::allocator
