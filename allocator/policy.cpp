#include "allocator/policy.hpp"

#include <algorithm>
#include <filesystem>

namespace allocsim::allocator {

namespace fs = std::filesystem;

std::vector<std::string> policy_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".ini") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

Config load_policy(const std::string& name_or_path, const std::string& dir) {
  Config config;
  const bool is_path = name_or_path.find('/') != std::string::npos || fs::path(name_or_path).extension() == ".ini";
  const std::string path = is_path ? name_or_path : (fs::path(dir) / (name_or_path + ".ini")).string();
  if (!fs::exists(path)) {
    std::string known;
    for (const auto& n : policy_names(dir)) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("unknown policy '" + name_or_path + "' (known in " + dir + ": " + known + ")");
  }
  apply_config_file(config, path);
  return config;
}

}  // namespace allocsim::allocator
