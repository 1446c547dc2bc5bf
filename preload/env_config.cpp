#include "preload/env_config.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include "allocator/policy.hpp"

namespace allocsim::preload {
namespace {

bool readable(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

// The first directory holding NAME.ini; the first directory that exists
// when none does (so the error lists the presets a user can pick from).
std::string policy_dir_for(std::string_view name, const std::vector<std::string>& dirs) {
  for (const auto& d : dirs)
    if (readable(d + "/" + std::string(name) + ".ini")) return d;
  for (const auto& d : dirs)
    if (access(d.c_str(), X_OK) == 0) return d;
  return dirs.empty() ? std::string(".") : dirs.front();
}

void apply_policy(EnvConfig& out, std::string_view policy, const std::vector<std::string>& dirs) {
  if (policy.empty()) return;
  try {
    out.config = allocator::load_policy(std::string(policy), policy_dir_for(policy, dirs));
    out.policy = std::string(policy);
  } catch (const std::exception& e) {
    out.config = allocator::Config{};
    out.problems.push_back("ALLOCSIM_POLICY: " + std::string(e.what()) + "; using the defaults");
  }
}

void apply_settings(EnvConfig& out, std::string_view set) {
  while (!set.empty()) {
    const std::size_t comma = set.find(',');
    const std::string_view item = set.substr(0, comma);
    set = comma == std::string_view::npos ? std::string_view() : set.substr(comma + 1);
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      out.problems.push_back("ALLOCSIM_SET: '" + std::string(item) + "' is not key=value; ignored");
      continue;
    }
    try {
      allocator::set_knob(out.config, item.substr(0, eq), item.substr(eq + 1));
    } catch (const std::exception& e) {
      out.problems.push_back("ALLOCSIM_SET: " + std::string(e.what()) + "; ignored");
    }
  }
}

}  // namespace

EnvConfig config_from(const char* policy, const char* set, const std::vector<std::string>& policy_dirs) {
  EnvConfig out;
  apply_policy(out, policy ? policy : "", policy_dirs);
  apply_settings(out, set ? set : "");
  try {
    out.config.validate();
  } catch (const std::exception& e) {
    out.problems.push_back("ALLOCSIM_POLICY/ALLOCSIM_SET: " + std::string(e.what()) + "; using the defaults");
    out.config = allocator::Config{};
    out.policy.clear();
  }
  return out;
}

std::vector<std::string> default_policy_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("ALLOCSIM_CONFIG_DIR"); env && *env) dirs.push_back(std::string(env) + "/policies");
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&default_policy_dirs), &info) && info.dli_fname) {
    const std::string lib = info.dli_fname;
    const std::size_t slash = lib.rfind('/');
    if (slash != std::string::npos) dirs.push_back(lib.substr(0, slash) + "/../share/allocsim/configs/policies");
  }
  dirs.push_back(std::string(ALLOCSIM_SOURCE_DIR) + "/configs/policies");
  return dirs;
}

}  // namespace allocsim::preload
