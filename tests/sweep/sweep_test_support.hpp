#pragma once
// Helpers of the sweep and compare tests (scratch directories, files and
// launching allocsim: tests/common).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/common/files.hpp"
#include "tests/common/launch.hpp"

namespace allocsim::sim::sweep_testing {

namespace fs = std::filesystem;

using namespace allocsim::testing;

// Completed run ids in a sweep directory (runs/<id>.json, not the failure records).
inline std::vector<std::string> completed_runs(const std::string& dir) {
  std::vector<std::string> ids;
  for (const auto& f : files_ending(dir + "/runs", ".json"))
    if (f.find(".failed.") == std::string::npos) ids.push_back(f.substr(0, f.size() - 5));
  return ids;
}

}  // namespace allocsim::sim::sweep_testing
