#pragma once
// Helpers of the sweep and compare tests: a scratch directory, small files,
// and allocsim started as a child process (waited for, or left running so a
// test can kill it).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace allocsim::sim::sweep_testing {

namespace fs = std::filesystem;

class Scratch {
 public:
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "allocsim_sweep_test_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string path(const std::string& name = "") const { return name.empty() ? path_.string() : (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    fs::create_directories((path_ / name).parent_path());
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }

 private:
  fs::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> files_ending(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Completed run ids in a sweep directory (runs/<id>.json, not the failure records).
inline std::vector<std::string> completed_runs(const std::string& dir) {
  std::vector<std::string> ids;
  for (const auto& f : files_ending(dir + "/runs", ".json"))
    if (f.find(".failed.") == std::string::npos) ids.push_back(f.substr(0, f.size() - 5));
  return ids;
}

// Starts `allocsim args...` with stdout and stderr to `log`; returns its pid.
inline pid_t start_allocsim(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv{ALLOCSIM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c;
  for (auto& a : argv) c.push_back(a.data());
  c.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, c.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

inline int wait_exit_code(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs allocsim to completion; returns its exit code, output in `log`.
inline int run_allocsim(const std::vector<std::string>& args, const std::string& log) {
  return wait_exit_code(start_allocsim(args, log));
}

}  // namespace allocsim::sim::sweep_testing
