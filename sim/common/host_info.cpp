#include "sim/common/host_info.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace allocsim::sim {
namespace {

// Reads a small /proc file with plain syscalls (no allocation: the system
// backend's footprint should not move because we looked at it).
std::size_t read_proc(const char* path, char* buf, std::size_t size) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  std::size_t got = 0;
  while (got + 1 < size) {
    const ssize_t n = ::read(fd, buf + got, size - 1 - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  buf[got] = '\0';
  return got;
}

}  // namespace

std::uint64_t current_rss_bytes() {
  char buf[128];
  if (!read_proc("/proc/self/statm", buf, sizeof buf)) return 0;
  unsigned long long size = 0, resident = 0;
  if (std::sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t peak_rss_bytes() {
  char buf[4096];
  if (!read_proc("/proc/self/status", buf, sizeof buf)) return 0;
  const char* line = std::strstr(buf, "VmHWM:");
  unsigned long long kb = 0;
  if (!line || std::sscanf(line + 6, "%llu", &kb) != 1) return 0;
  return kb * 1024;
}

}  // namespace allocsim::sim
