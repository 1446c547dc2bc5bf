#include "preload/fork_hooks.hpp"

#include <pthread.h>

#include "preload/runtime.hpp"
#include "preload/stats_at_exit.hpp"

namespace allocsim::preload {
namespace {

// Installed by the library's constructor, once the heap exists. glibc may
// run the prepare handlers of concurrent forks side by side; the second
// waits in lock_runtime() until the first fork's parent handler unlocks.
void prepare() {
  lock_runtime();
  current_heap()->prepare_fork();
}

void parent() {
  current_heap()->after_fork_parent();
  unlock_runtime();
}

void child() {
  current_heap()->after_fork_child();
  reset_runtime_in_child();
  note_forked_child();
  start_collector_now();
}

}  // namespace

void install_fork_hooks() { pthread_atfork(prepare, parent, child); }

}  // namespace allocsim::preload
