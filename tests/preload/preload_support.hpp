#pragma once
// Shared by the preload tests: where the built library and helper programs
// are, and a run with and without it.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/common/run_support.hpp"

namespace allocsim::sim::testing {

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

// A scratch directory for stats files, removed at the end.
class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/allocsim_preload_XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::filesystem::path path_;
};

inline RunSpec preloaded(RunSpec spec) {
  spec.env["LD_PRELOAD"] = std::string(kPreloadLibrary);
  return spec;
}

inline nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(slurp(path)); }

}  // namespace allocsim::sim::testing
