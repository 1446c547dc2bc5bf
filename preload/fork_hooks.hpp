#pragma once
// pthread_atfork handlers that keep the heap usable in a forked child.
//
// prepare (parent, before fork): the runtime's locks (record list, shared
// ThreadHeap), then Heap::prepare_fork (the collector finishes its step;
// every heap mutex). parent: all released. child: Heap::after_fork_child
// re-creates the locks and forgets the parent's collector thread; then the
// records of the threads that do not exist in the child are handed back
// (their chunks return through the garbage path) - unless the thread was
// inside a heap call when fork happened, in which case its ThreadHeap may
// be half updated: it is unregistered and its chunks are left unused. Last,
// the child's own collector thread is started (runtime.cpp says why there).
//
// Why the busy flag can be trusted: fork copies the address space while
// the other threads run; each page keeps what it held when fork write-
// protected it, and a thread that writes a protected page stops until fork
// is done. On x86-64 (TSO) a thread's stores become visible in program
// order, so the child sees a prefix of each thread's stores: if it sees the
// flag clear, it sees every store of that thread's last call and none of
// a later one.
namespace allocsim::preload {

void install_fork_hooks();

}  // namespace allocsim::preload
