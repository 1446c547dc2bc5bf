#pragma once
// Memory for the allocations made while the heap itself is being built
// (the Heap's arrays and vectors, policy-file parsing, an exception thrown
// and caught there). They happen inside the process's first malloc call,
// before there is a heap to serve them, so a fixed region in .bss serves
// them instead: a bump pointer, never reused. Its untouched pages cost no
// memory. free() of an arena pointer does nothing; realloc() moves it out.
#include <cstddef>

namespace allocsim::preload {

// nullptr when the arena is exhausted. alignment: a power of two.
void* arena_allocate(std::size_t n, std::size_t alignment);
bool arena_owns(const void* p);
// The size asked for when p was allocated.
std::size_t arena_size(const void* p);

}  // namespace allocsim::preload
