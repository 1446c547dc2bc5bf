#pragma once
// What the OS says about this process's memory (Linux /proc).
#include <cstdint>

namespace allocsim::sim {

// Resident set size now (/proc/self/statm); 0 when unavailable.
std::uint64_t current_rss_bytes();
// Peak resident set size of the process (VmHWM in /proc/self/status); 0 when unavailable.
std::uint64_t peak_rss_bytes();

}  // namespace allocsim::sim
