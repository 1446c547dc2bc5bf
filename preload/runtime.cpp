#include "preload/runtime.hpp"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <string>

#include "allocator/internal_memory.hpp"
#include "preload/env_config.hpp"
#include "preload/fork_hooks.hpp"
#include "preload/stats_at_exit.hpp"

namespace allocsim::preload {

using allocator::Heap;
using allocator::ThreadHeap;

thread_local ThreadRecord* t_record __attribute__((tls_model("initial-exec"))) = nullptr;

namespace {

thread_local bool t_building __attribute__((tls_model("initial-exec"))) = false;   // this thread builds the heap

enum : int { kNotBuilt, kBuilding, kBuilt };
constinit std::atomic<int> g_state{kNotBuilt};
constinit std::atomic<Heap*> g_heap{nullptr};
alignas(Heap) unsigned char g_heap_storage[sizeof(Heap)];
alignas(ThreadHeap) unsigned char g_shared_storage[sizeof(ThreadHeap)];
ThreadHeap* g_shared = nullptr;  // threads whose record was handed back
constinit std::mutex g_shared_mutex;
constinit std::mutex g_records_mutex;  // guards the record list; taken before any heap lock
ThreadRecord* g_records = nullptr;
pthread_key_t g_exit_key;

void say(const std::string& line) {
  const std::string text = "allocsim: " + line + "\n";
  [[maybe_unused]] const auto n = write(STDERR_FILENO, text.data(), text.size());
}

[[noreturn]] void give_up(const char* why) {
  say(std::string("cannot build the heap: ") + why);
  std::abort();
}

void link_record(ThreadRecord* r) {
  r->next = g_records;
  if (g_records) g_records->prev = r;
  g_records = r;
}

void unlink_record(ThreadRecord* r) {
  if (r->prev) r->prev->next = r->next;
  else g_records = r->next;
  if (r->next) r->next->prev = r->prev;
}

void destroy_record(ThreadRecord* r) {
  r->~ThreadRecord();  // hands the caches, the fresh tail and all garbage back
  allocator::internal_unmap(r, sizeof(ThreadRecord));
}

// pthread key destructor: the thread is exiting.
void on_thread_exit(void* arg) {
  auto* r = static_cast<ThreadRecord*>(arg);
  t_record = kDeadRecord;
  std::lock_guard lock(g_records_mutex);
  unlink_record(r);
  destroy_record(r);
}

Heap* build_heap_from(const allocator::Config& config) {
  allocator::HeapOptions options;
  options.mode = allocator::CollectorMode::Threaded;
  options.start_collector_later = true;
  return new (g_heap_storage) Heap(config, options);
}

// Runs inside the process's first malloc-family call, on the calling thread.
void build() {
  t_building = true;
  EnvConfig env = config_from(std::getenv("ALLOCSIM_POLICY"), std::getenv("ALLOCSIM_SET"), default_policy_dirs());
  for (const auto& p : env.problems) say(p);
  Heap* heap = nullptr;
  try {
    heap = build_heap_from(env.config);
  } catch (const std::exception& e) {
    say(std::string("cannot build the heap with this configuration (") + e.what() + "); using the defaults");
    env.config = allocator::Config{};
    env.policy.clear();
    try {
      heap = build_heap_from(env.config);
    } catch (const std::exception& e2) {
      give_up(e2.what());
    }
  }
  try {
    g_shared = new (g_shared_storage) ThreadHeap(*heap);
  } catch (const std::exception& e) {
    give_up(e.what());
  }
  // pthread_key_create takes no lock; pthread_atfork does (glibc's atfork
  // lock, held while prepare handlers run), so it waits for the constructor.
  if (pthread_key_create(&g_exit_key, on_thread_exit) != 0) give_up("no pthread key left");
  remember_stats_request(env.policy, env.config);
  g_heap.store(heap, std::memory_order_release);
  t_building = false;
}

// nullptr only on the thread that is building it.
Heap* heap_or_build() {
  if (Heap* h = g_heap.load(std::memory_order_acquire)) return h;
  if (t_building) return nullptr;
  int expected = kNotBuilt;
  if (g_state.compare_exchange_strong(expected, kBuilding, std::memory_order_acq_rel)) {
    build();
    g_state.store(kBuilt, std::memory_order_release);
  } else {
    while (g_state.load(std::memory_order_acquire) != kBuilt) sched_yield();
  }
  return g_heap.load(std::memory_order_acquire);
}

ThreadRecord* make_record(Heap& heap) {
  void* memory = allocator::internal_map(sizeof(ThreadRecord));
  if (!memory) return nullptr;
  ThreadRecord* r = nullptr;
  {
    // Built under the records lock so a fork never sees it registered
    // with the heap but missing from the list.
    std::lock_guard lock(g_records_mutex);
    try {
      r = new (memory) ThreadRecord(heap);
    } catch (const std::exception&) {
      allocator::internal_unmap(memory, sizeof(ThreadRecord));
      return nullptr;
    }
    link_record(r);
  }
  t_record = r;
  pthread_setspecific(g_exit_key, r);  // may allocate: t_record is already set
  return r;
}

}  // namespace

Heap* current_heap() { return g_heap.load(std::memory_order_acquire); }

ThreadHeap* acquire_slow(ThreadRecord*& record) {
  Heap* heap = heap_or_build();
  if (!heap) {
    record = nullptr;
    return nullptr;
  }
  if (record == nullptr) {
    record = make_record(*heap);
    if (record) {
      record->busy.store(1, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_release);
      return &record->heap;
    }
  }
  record = nullptr;
  g_shared_mutex.lock();
  return g_shared;
}

void release_shared() { g_shared_mutex.unlock(); }

// The collector thread is never started from inside malloc or free: glibc
// calls them with its own locks held (free of a dead thread's TLS runs
// under the stack-cache lock that pthread_create takes, the DTV is
// resized under the TLS lock, prepare handlers run under the atfork lock),
// and creating a thread there deadlocks. The library's constructor runs
// once libc is initialised, before main, with no libc lock held; a forked
// child's atfork handler runs after glibc has re-initialised those locks.
// Until the thread runs, frees wait in their bins and allocations fall
// back to fresh memory; if it cannot be created (EAGAIN) that stays so.
void start_collector_now() {
  Heap* heap = current_heap();
  if (!heap || heap->collector_running()) return;
  try {
    heap->start_collector();
  } catch (const std::exception& e) {
    say(std::string("no collector thread (") + e.what() + "); frees wait and allocations use fresh memory");
  }
}

namespace {

// Builds the heap if no malloc has yet, then installs the fork handlers and
// starts the collector: the one point of the process's life where both are safe.
__attribute__((constructor)) void start_at_load() {
  if (!heap_or_build()) return;  // only while this thread builds it, which cannot be now
  install_fork_hooks();
  start_collector_now();
}

}  // namespace

void lock_runtime() {
  g_records_mutex.lock();
  g_shared_mutex.lock();
}

void unlock_runtime() {
  g_shared_mutex.unlock();
  g_records_mutex.unlock();
}

void reset_runtime_in_child() {
  new (&g_records_mutex) std::mutex;
  new (&g_shared_mutex) std::mutex;
  Heap* heap = current_heap();
  ThreadRecord* self = t_record;
  ThreadRecord* r = g_records;
  while (r) {
    ThreadRecord* next = r->next;
    if (r != self) {
      unlink_record(r);
      if (r->busy.load(std::memory_order_acquire)) heap->forget_thread(&r->heap);  // half-done call: leave it
      else destroy_record(r);
    }
    r = next;
  }
}

}  // namespace allocsim::preload
