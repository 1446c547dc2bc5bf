#include "sim/object_table.hpp"

#include <sys/mman.h>

#include <new>

namespace allocsim::sim {

namespace {
constexpr std::size_t kPageBytes = ObjectTable::kPageSlots * sizeof(ObjectTable::Slot);
}

ObjectTable::~ObjectTable() {
  for (Page& p : pages_)
    if (p.slots) ::munmap(p.slots, kPageBytes);
}

void ObjectTable::add_page() {
  // Fresh anonymous memory reads as zero: null pointers, size 0, not live.
  void* mem = ::mmap(nullptr, kPageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) throw std::bad_alloc();
  static_assert(sizeof(Slot) == 16 && std::atomic<void*>::is_always_lock_free);
  auto* slots = static_cast<Slot*>(mem);
  for (std::uint64_t i = 0; i < kPageSlots; ++i) new (slots + i) Slot();
  pages_.push_back(Page{slots, 0});
}

void ObjectTable::release_page(std::uint64_t page) {
  Page& p = pages_[page];
  if (!p.slots || p.live != 0) return;
  ::munmap(p.slots, kPageBytes);
  p.slots = nullptr;
}

}  // namespace allocsim::sim
