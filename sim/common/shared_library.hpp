#pragma once
// Finding a shared library to LD_PRELOAD (a system allocator) the way the
// dynamic loader would, without loading it into this process.
#include <string>

namespace allocsim::sim {

// `library` is a path (absolute, or relative to base_dir when it holds a
// '/') or a bare soname looked up in $LD_LIBRARY_PATH and the standard
// library directories. Returns the absolute path, or "" when not found.
std::string find_shared_library(const std::string& library, const std::string& base_dir);

}  // namespace allocsim::sim
