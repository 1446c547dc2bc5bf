#include "sim/preload/fork_hooks.hpp"

#include <pthread.h>

#include "sim/preload/runtime.hpp"
#include "sim/preload/stats_at_exit.hpp"

namespace allocsim::preload {
namespace {

// The hooks are installed just before the heap is published; a fork in that
// window finds no heap and must not unlock what it did not lock. glibc runs
// the handlers of concurrent forks one fork at a time.
allocator::Heap* g_locked = nullptr;

void prepare() {
  g_locked = current_heap();
  if (!g_locked) return;
  lock_runtime();
  g_locked->prepare_fork();
}

void parent() {
  if (!g_locked) return;
  g_locked->after_fork_parent();
  unlock_runtime();
}

void child() {
  if (!g_locked) return;
  g_locked->after_fork_child();
  reset_runtime_in_child();
  note_forked_child();
}

}  // namespace

void install_fork_hooks() { pthread_atfork(prepare, parent, child); }

}  // namespace allocsim::preload
