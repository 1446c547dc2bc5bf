#include "sim/common/shared_library.hpp"

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <vector>

namespace allocsim::sim {

namespace fs = std::filesystem;

namespace {

// The Debian multiarch directory of the machine this binary was built for.
constexpr const char* kMultiarch =
#if defined(__x86_64__)
    "x86_64-linux-gnu";
#elif defined(__aarch64__)
    "aarch64-linux-gnu";
#elif defined(__i386__)
    "i386-linux-gnu";
#else
    "";
#endif

std::vector<fs::path> search_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("LD_LIBRARY_PATH")) {
    std::istringstream parts(env);
    for (std::string d; std::getline(parts, d, ':');)
      if (!d.empty()) dirs.emplace_back(d);
  }
  for (const char* base : {"/usr/local/lib", "/usr/lib", "/lib"}) {
    if (*kMultiarch) dirs.push_back(fs::path(base) / kMultiarch);
    dirs.emplace_back(base);
  }
  dirs.emplace_back("/usr/lib64");
  dirs.emplace_back("/lib64");
  return dirs;
}

}  // namespace

std::string find_shared_library(const std::string& library, const std::string& base_dir) {
  std::error_code ec;
  if (library.find('/') != std::string::npos) {
    const fs::path p = fs::path(library).is_absolute() ? fs::path(library) : fs::path(base_dir) / library;
    return fs::is_regular_file(p, ec) ? fs::absolute(p).lexically_normal().string() : std::string();
  }
  for (const auto& dir : search_dirs())
    if (fs::is_regular_file(dir / library, ec)) return (dir / library).string();
  return {};
}

}  // namespace allocsim::sim
