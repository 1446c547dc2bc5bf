#include "sim/common/trace_hash.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace allocsim::sim {

std::string trace_file_hash(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(), &XXH3_freeState);
  XXH3_128bits_reset(state.get());
  std::unique_ptr<char[]> buf(new char[1 << 16]);
  for (;;) {
    const ssize_t n = ::read(fd, buf.get(), 1 << 16);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error(path + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) break;
    XXH3_128bits_update(state.get(), buf.get(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  const XXH128_hash_t h = XXH3_128bits_digest(state.get());
  return fmt::format("xxh3-128:{:016x}{:016x}", h.high64, h.low64);
}

}  // namespace allocsim::sim
