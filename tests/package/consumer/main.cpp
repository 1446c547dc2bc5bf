// Allocates and frees through the installed core, and checks the heap.
#include <cstdio>

#include "allocator/config.hpp"
#include "allocator/heap.hpp"
#include "allocator/thread_heap.hpp"

int main() {
  allocsim::allocator::Heap heap(allocsim::allocator::Config{});
  {
    allocsim::allocator::ThreadHeap thread(heap);
    void* blocks[1000];
    for (auto& b : blocks) b = thread.allocate(64);
    for (auto* b : blocks) thread.deallocate(b);
  }
  const bool ok = heap.check().ok;
  std::printf("allocsim %s core: heap check %s\n", ALLOCSIM_VERSION, ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
