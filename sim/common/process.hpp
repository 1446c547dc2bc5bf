#pragma once
// Starting a program as a child process: the one way allocsim (sweep runs,
// recordings) and its tests do it. fork + execve, with only async-signal-
// safe calls in between (the parent may have threads), so a child can also
// be tied to this process's life, which posix_spawn cannot do.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace allocsim::sim {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up in $PATH
  std::vector<std::string> env;   // the whole environment, "NAME=value" (see environment_with)
  std::string stdin_path = "/dev/null";  // "" inherits this process's
  std::string stdout_path;               // "" inherits; created or truncated
  std::string stderr_path;               // "" inherits; the same as stdout_path: one file for both
  std::string cwd;                       // "" keeps this process's
  bool die_with_parent = false;          // SIGKILL the child when this process dies (even by SIGKILL)
  std::vector<int> default_signals;      // reset to their default action in the child
};

// The caller's environment without `drop`'s variables, plus `add` ("NAME=value").
std::vector<std::string> environment_with(const std::vector<std::string>& drop, const std::vector<std::string>& add);

// Starts the child. Throws std::system_error when it cannot be started: no
// such program, a redirection that cannot be opened, fork failing.
pid_t spawn(const ProcessSpec& spec);

struct ExitStatus {
  int code = -1;   // the exit code; -1 when killed by a signal
  int signal = 0;  // the signal that killed it
  bool timed_out = false;
  // The shell's convention: the code, or 128 + the signal.
  int shell_code() const { return signal ? 128 + signal : code; }
};
ExitStatus exit_status(int wait_status);

// Waits for the child to end.
ExitStatus wait_exit(pid_t pid);
// Waits at most `timeout`; a child still running then is killed (SIGKILL)
// and reported timed_out. Sleeps in the kernel, not in a polling loop.
ExitStatus wait_exit(pid_t pid, std::chrono::milliseconds timeout);

}  // namespace allocsim::sim
