#pragma once
// The one line of stdout a stress program prints: its name, its parameters
// and counters that depend only on them. It must be byte-identical under
// every allocator; glibc's is the reference.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <utility>

#include "params.hpp"

namespace stress {

inline void print_summary(const Params& params, std::initializer_list<std::pair<const char*, std::uint64_t>> counters) {
  std::printf("%s %s:", g_program, params.describe().c_str());
  for (const auto& [name, value] : counters) {
    if (std::string(name) == "checksum") std::printf(" %s=%016" PRIx64, name, value);
    else std::printf(" %s=%" PRIu64, name, value);
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace stress
