#pragma once
// Shared by the preload tests: where the built library and helper programs
// are, and a run with and without it.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/common/launch.hpp"

namespace allocsim::sim::testing {

using namespace ::allocsim::testing;

#ifdef ALLOCSIM_PRELOAD_LIBRARY
inline constexpr const char* kPreloadLibrary = ALLOCSIM_PRELOAD_LIBRARY;
#else
inline constexpr const char* kPreloadLibrary = nullptr;  // sanitizer build: not built
#endif

inline std::string helper(const std::string& name) { return std::string(ALLOCSIM_HELPERS_DIR) + "/" + name; }
inline std::string fixture(const std::string& name) {
  return std::string(ALLOCSIM_SOURCE_DIR) + "/tests/preload/fixtures/" + name;
}
inline std::string sample_source(const std::string& name) {
  return std::string(ALLOCSIM_SOURCE_DIR) + "/traces/samples/src/" + name;
}

#define ALLOCSIM_REQUIRE_PRELOAD()                                                                     \
  do {                                                                                                 \
    if (!::allocsim::sim::testing::kPreloadLibrary)                                                    \
      GTEST_SKIP() << "liballocsim.so is not built in sanitizer builds (a sanitizer runtime owns malloc)"; \
  } while (0)

inline RunSpec preloaded(RunSpec spec) {
  spec.env["LD_PRELOAD"] = std::string(kPreloadLibrary);
  return spec;
}

inline nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_file(path)); }

}  // namespace allocsim::sim::testing
