#pragma once
// The process-wide state of the malloc shim: one Heap, one ThreadRecord
// (ThreadHeap + bookkeeping) per thread, and a locked ThreadHeap shared by
// threads whose own record has already been handed back at thread exit.
//
// Bootstrap: the first malloc of the process builds the Heap. While it
// does, allocations of the building thread come from the bootstrap arena
// (bootstrap_arena.hpp) and other threads wait. Nothing here has a dynamic
// initialiser: malloc runs before this library's constructors do.
//
// A thread gets its ThreadRecord at its first call; a pthread key's
// destructor hands it back when the thread exits, and later calls from that
// thread (other keys' destructors, glibc's thread cleanup) go to the shared
// ThreadHeap under its mutex.
#include <atomic>
#include <cstdint>

#include "allocator/heap.hpp"
#include "allocator/thread_heap.hpp"

namespace allocsim::preload {

struct ThreadRecord {
  explicit ThreadRecord(allocator::Heap& h) : heap(h) {}
  allocator::ThreadHeap heap;
  // Set while the thread is inside a heap call. A forked child trusts the
  // ThreadHeap of a vanished thread only if this was clear (fork_hooks.cpp).
  std::atomic<std::uint8_t> busy{0};
  ThreadRecord* prev = nullptr;  // every live record (guarded by the records lock)
  ThreadRecord* next = nullptr;
};

// t_record's value after the thread's record was handed back.
inline ThreadRecord* const kDeadRecord = reinterpret_cast<ThreadRecord*>(std::uintptr_t(1));

extern thread_local ThreadRecord* t_record __attribute__((tls_model("initial-exec")));

// Slow paths of Lease.
allocator::ThreadHeap* acquire_slow(ThreadRecord*& record);
void release_shared();

// The calling thread's ThreadHeap for the length of one malloc-family call.
// heap() is nullptr while this thread is building the Heap: serve the call
// from the bootstrap arena.
class Lease {
 public:
  Lease() : record_(t_record) {
    if (reinterpret_cast<std::uintptr_t>(record_) > 1) [[likely]] {
      record_->busy.store(1, std::memory_order_relaxed);
      // The heap writes below must not become visible before the flag.
      std::atomic_thread_fence(std::memory_order_release);
      heap_ = &record_->heap;
      return;
    }
    heap_ = acquire_slow(record_);
  }
  ~Lease() {
    if (record_) record_->busy.store(0, std::memory_order_release);
    else if (heap_) release_shared();
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  allocator::ThreadHeap* heap() const { return heap_; }

 private:
  ThreadRecord* record_;  // nullptr when heap_ is the shared ThreadHeap (or the arena)
  allocator::ThreadHeap* heap_ = nullptr;
};

// The heap, once built (nullptr before).
allocator::Heap* current_heap();

// Starts the collector thread. Only ever called where no libc lock can be
// held by this thread: this library's constructor and the forked child's
// atfork handler (runtime.cpp says why never from malloc or free).
void start_collector_now();

// Fork support (fork_hooks.cpp uses these).
void lock_runtime();
void unlock_runtime();
// Child: re-creates the runtime's locks and hands back (or forgets) the
// records of the threads that do not exist in the child.
void reset_runtime_in_child();

}  // namespace allocsim::preload
