#pragma once
// Running a program as a child process for the preload and record tests:
// environment overrides, stdin from a file, stdout and stderr captured
// separately, and a deadline after which the child is killed (a hang in a
// preloaded malloc must fail the test, not stall the suite).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace allocsim::sim::testing {

struct RunResult {
  int exit_code = -1;   // -1 when killed by a signal
  int signal = 0;       // the signal that killed it
  bool timed_out = false;
  std::string out, err;
  std::string describe() const {
    std::ostringstream os;
    os << "exit " << exit_code << " signal " << signal << (timed_out ? " (timed out)" : "") << "\nstderr:\n" << err;
    return os.str();
  }
};

struct RunSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::optional<std::string>> env;  // nullopt: remove the variable
  std::string stdin_path = "/dev/null";
  std::string cwd;  // "" keeps the test's directory
  std::chrono::seconds timeout{120};
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

inline std::vector<std::string> child_environment(const RunSpec& spec) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  // A preload or allocsim variable of the test's own environment must not leak in.
  for (const char* name : {"LD_PRELOAD", "ALLOCSIM_POLICY", "ALLOCSIM_SET", "ALLOCSIM_STATS"}) env.erase(name);
  for (const auto& [k, v] : spec.env) {
    if (v) env[k] = *v;
    else env.erase(k);
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

inline RunResult run_program(const RunSpec& spec) {
  namespace fs = std::filesystem;
  char dir_template[] = "/tmp/allocsim_run_XXXXXX";
  const fs::path dir = ::mkdtemp(dir_template);
  const std::string out_path = (dir / "out").string(), err_path = (dir / "err").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, spec.stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  const std::vector<std::string> env = child_environment(spec);
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + spec.argv[0]);
  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  fs::remove_all(dir);
  return result;
}

inline bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// Lines of text, without their newlines.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace allocsim::sim::testing
