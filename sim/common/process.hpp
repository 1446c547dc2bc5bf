#pragma once
// Starting one run of a sweep as its own process, so a crash, a hang or an
// LD_PRELOAD'd allocator stays inside that run.
#include <sys/types.h>

#include <string>
#include <vector>

namespace allocsim::sim {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::vector<std::string> env;   // the whole environment, "NAME=value"
  std::string log_path;           // stdout and stderr go here; stdin is /dev/null
};

// The caller's environment without `drop`'s variables, plus `add` ("NAME=value").
std::vector<std::string> environment_with(const std::vector<std::string>& drop, const std::vector<std::string>& add);

// Forks and execs. The child is killed when this process dies (even by
// SIGKILL), so an interrupted sweep leaves no orphan writing into its
// directory. Throws std::system_error when the fork fails; a failed exec
// shows up as exit status 127 with the reason in the log.
pid_t spawn_child(const ChildSpec& spec);

}  // namespace allocsim::sim
