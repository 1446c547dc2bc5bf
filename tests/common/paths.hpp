#pragma once
// Where a test finds the source tree's files and the built allocsim binary.
#include <string>

namespace allocsim::testing {

// `relative` inside the source tree.
inline std::string source_path(const std::string& relative) { return std::string(ALLOCSIM_SOURCE_DIR) + "/" + relative; }
// A recording in traces/samples/.
inline std::string sample_path(const std::string& name) { return source_path("traces/samples/" + name); }

inline constexpr const char* kAllocsimBinary = ALLOCSIM_BINARY;

}  // namespace allocsim::testing
