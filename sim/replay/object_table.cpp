#include "sim/replay/object_table.hpp"

#include <sys/mman.h>

#include <new>

#include "allocator/os_layer.hpp"

namespace allocsim::sim {

ObjectTable::~ObjectTable() {
  for (Page& p : pages_)
    if (p.slots) allocator::system_os().unmap(p.slots, kPageBytes);
}

// A page is one transparent huge page where the kernel allows it (aligned,
// MADV_HUGEPAGE): frees look up slots of objects born long ago all over
// the table, and with 4 KiB pages nearly every such lookup missed the TLB.
void* ObjectTable::map_page() {
  static_assert(kPageBytes == 2u << 20, "a page is one x86-64 huge page");
  void* page = allocator::system_os().map(kPageBytes, kPageBytes);
  if (!page) throw std::bad_alloc();
  ::madvise(page, kPageBytes, MADV_HUGEPAGE);  // a hint: without THP the page is just 4 KiB pages
  return page;
}

void ObjectTable::add_page() {
  // Fresh anonymous memory reads as zero: null pointers, size 0, not live.
  void* mem = map_page();
  static_assert(sizeof(Slot) == 16 && std::atomic<void*>::is_always_lock_free);
  auto* slots = static_cast<Slot*>(mem);
  for (std::uint64_t i = 0; i < kPageSlots; ++i) new (slots + i) Slot();
  pages_.push_back(Page{slots, 0});
}

void ObjectTable::release_page(std::uint64_t page) {
  Page& p = pages_[page];
  if (!p.slots || p.live != 0) return;
  allocator::system_os().unmap(p.slots, kPageBytes);
  p.slots = nullptr;
}

}  // namespace allocsim::sim
