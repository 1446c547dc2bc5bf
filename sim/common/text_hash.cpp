#include "sim/common/text_hash.hpp"

#include <fmt/core.h>

// Header-only use of the Debian libxxhash-dev header: no link dependency.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace allocsim::sim {

std::string text_xxh3(std::string_view bytes) {
  return fmt::format("{:016x}", XXH3_64bits(bytes.data(), bytes.size()));
}

}  // namespace allocsim::sim
