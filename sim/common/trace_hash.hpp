#pragma once
// A trace's content hash for the run identity: XXH3-128 (libxxhash) of the
// file's bytes as stored (compressed files are hashed compressed).
#include <string>

namespace allocsim::sim {

// "xxh3-128:<32 lowercase hex digits>". Throws std::runtime_error naming
// the file when it cannot be read.
std::string trace_file_hash(const std::string& path);

}  // namespace allocsim::sim
