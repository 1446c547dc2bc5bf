// Process-level support for running the core as the process's malloc
// (preload/): starting the collector thread late, and fork.
//
// Fork contract. A child of a multi-threaded process has one thread: the
// one that called fork. Every lock another thread held is held forever, and
// every structure another thread was changing is half changed. So:
// - prepare_fork (parent, before fork) takes the collector's step mutex
//   (the collector finishes its current step: merge sets, inbox and queue
//   targets are consistent between steps), then every heap mutex, in the
//   order the heap's own code nests them, and last the lock of the kept
//   internal mappings (a leaf);
// - after_fork_parent releases them in reverse;
// - after_fork_child re-creates them unlocked (the child's only thread is
//   not the one that locked them), forgets the collector thread (its
//   std::thread refers to a thread of the parent) and leaves the collector
//   stopped; the owner calls start_collector() when it wants one again.
// ThreadHeaps of threads that do not exist in the child stay registered:
// the shim destroys the ones that were idle at fork time (handing their
// chunks back) and forget_thread()s the ones that were inside a call.
#include <pthread.h>
#include <signal.h>

#include <new>

#include "allocator/collector.hpp"
#include "allocator/heap.hpp"
#include "allocator/thread_heap.hpp"

namespace allocsim::allocator {

// The thread is created with every signal blocked and keeps that mask: a
// process-directed signal must reach one of the program's threads, never
// the collector (a program that blocks signals in its own threads and
// waits for them with sigwait would otherwise see them run here).
void Collector::start_thread() {
  if (thread_.joinable()) return;
  stop_.store(false);
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  try {
    thread_ = std::thread([this] { thread_main(); });
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    throw;
  }
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
}

bool Collector::running() const { return thread_.joinable(); }

// A busy collector re-takes step_mutex_ as soon as it drops it (mutexes are
// not fair); the flag keeps it off so the fork gets in.
void Collector::prepare_fork() {
  fork_pending_.store(true, std::memory_order_release);
  step_mutex_.lock();
}

void Collector::after_fork_parent() {
  step_mutex_.unlock();
  fork_pending_.store(false, std::memory_order_release);
}

void Collector::after_fork_child() {
  new (&step_mutex_) std::mutex;
  // The std::thread names a parent's thread: overwrite it without join or
  // detach (either would act on a thread the child does not have).
  new (&thread_) std::thread;
  stop_.store(false);
  fork_pending_.store(false);
}

void Heap::start_collector() {
  if (mode_ == CollectorMode::Threaded) collector_->start_thread();
}

bool Heap::collector_running() const { return collector_->running(); }

void Heap::prepare_fork() {
  collector_->prepare_fork();
  gate_.lock();
  threads_mutex_.lock();
  blocks_mutex_.lock();
  peak_mutex_.lock();
  internal_memory_lock();
}

void Heap::after_fork_parent() {
  internal_memory_unlock();
  peak_mutex_.unlock();
  blocks_mutex_.unlock();
  threads_mutex_.unlock();
  gate_.unlock();
  collector_->after_fork_parent();
}

void Heap::after_fork_child() {
  // The mutexes are locked by a thread id that the child's thread may not
  // have; re-creating them is the only portable way to get them back.
  internal_memory_reset_in_child();
  new (&blocks_mutex_) std::mutex;
  new (&threads_mutex_) std::mutex;
  new (&peak_mutex_) std::mutex;
  gate_.reset_in_child();  // nobody sleeps on it; frees need not try to wake it
  collector_->after_fork_child();
}

void Heap::forget_thread(ThreadHeap* t) {
  std::lock_guard lock(threads_mutex_);
  for (std::size_t i = 0; i < threads_.size(); ++i)
    if (threads_[i] == t) threads_.erase_at(i);
  retire_counts(t);
}

}  // namespace allocsim::allocator
