#include "sim/common/paths.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace allocsim::sim {

namespace fs = std::filesystem;

namespace {

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

std::string configs_dir() {
  if (const char* env = std::getenv("ALLOCSIM_CONFIG_DIR"); env && *env) return env;
  const fs::path exe = executable_dir();
  for (const fs::path& candidate : {exe / "../share/allocsim/configs", exe / "../../configs"}) {
    std::error_code ec;
    if (fs::is_directory(candidate / "policies", ec)) return fs::weakly_canonical(candidate).string();
  }
  return std::string(ALLOCSIM_SOURCE_DIR) + "/configs";
}

std::string policies_dir() { return configs_dir() + "/policies"; }

}  // namespace allocsim::sim
