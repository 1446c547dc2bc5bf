#pragma once
// Heap corruption and misuse end the process with one clear line, written
// without allocating (the heap may be the process's malloc).
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace allocsim::allocator {

[[noreturn]] inline void fatal(const char* format, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] inline void fatal(const char* format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  int n = std::vsnprintf(line, sizeof line - 1, format, args);
  va_end(args);
  if (n < 0) n = 0;
  if (n > static_cast<int>(sizeof line) - 2) n = sizeof line - 2;
  line[n++] = '\n';
  [[maybe_unused]] auto written = ::write(2, line, static_cast<std::size_t>(n));
  std::abort();
}

}  // namespace allocsim::allocator
