#pragma once
// The workload list (tests/stress/workloads.txt) and the policy presets
// (configs/policies/*.ini), as the stress gtest runs them.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace allocsim::stress_testing {

struct Workload {
  std::string name;
  std::vector<std::string> argv;  // program (a file name in the build's bin/), size word, arguments
};

// The workloads at `size` ("test" or "bench"): arguments prefixed by the
// other size are dropped, those prefixed by this one lose the prefix.
inline std::vector<Workload> read_workloads(const std::string& path, const std::string& size) {
  std::ifstream in(path);
  std::vector<Workload> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line.substr(0, line.find('#')));
    Workload w;
    std::string program;
    if (!(words >> w.name >> program)) continue;
    w.argv = {program, size};
    for (std::string arg; words >> arg;) {
      const auto colon = arg.find(':');
      const auto eq = arg.find('=');
      if (colon != std::string::npos && (eq == std::string::npos || colon < eq)) {
        if (arg.substr(0, colon) == size) w.argv.push_back(arg.substr(colon + 1));
      } else {
        w.argv.push_back(arg);
      }
    }
    out.push_back(std::move(w));
  }
  return out;
}

inline std::vector<std::string> policy_names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".ini") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace allocsim::stress_testing
