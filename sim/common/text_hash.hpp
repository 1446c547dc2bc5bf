#pragma once
// The hash that names a sweep's runs: XXH3-64 (libxxhash) of a canonical
// text, printed as 16 lowercase hex digits. Traces are hashed by
// sim/common/trace_hash.hpp.
#include <string>
#include <string_view>

namespace allocsim::sim {

std::string text_xxh3(std::string_view bytes);

}  // namespace allocsim::sim
