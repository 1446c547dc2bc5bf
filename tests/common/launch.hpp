#pragma once
// Running a program, or the built allocsim, as a child process for a test
// (through sim/common/process.hpp, as allocsim itself does): environment
// overrides, stdin from a file, stdout and stderr captured separately, and
// a deadline after which the child is killed (a hang must fail the test,
// not stall the suite).
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/common/process.hpp"
#include "tests/common/files.hpp"
#include "tests/common/paths.hpp"

namespace allocsim::testing {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that killed it
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

// The test's environment with spec.env applied; a preload or allocsim
// variable of the test's own environment does not leak in.
inline std::vector<std::string> child_environment(const RunSpec& spec) {
  std::vector<std::string> drop{"LD_PRELOAD", "ALLOCSIM_POLICY", "ALLOCSIM_SET", "ALLOCSIM_STATS"}, add;
  for (const auto& [k, v] : spec.env) {
    drop.push_back(k);
    if (v) add.push_back(k + "=" + *v);
  }
  return sim::environment_with(drop, add);
}

inline RunResult run_program(const RunSpec& spec) {
  TempDir dir;
  sim::ProcessSpec p;
  p.argv = spec.argv;
  p.env = child_environment(spec);
  p.stdin_path = spec.stdin_path;
  p.stdout_path = dir.path("out");
  p.stderr_path = dir.path("err");
  p.cwd = spec.cwd;
  const sim::ExitStatus s = sim::wait_exit(sim::spawn(p), spec.timeout);
  return RunResult{s.code, s.signal, s.timed_out, read_file(dir.path("out")), read_file(dir.path("err"))};
}

// allocsim ARGS..., its output captured.
inline RunResult run_allocsim(std::vector<std::string> args) {
  RunSpec spec;
  spec.argv = {kAllocsimBinary};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  return run_program(spec);
}
// The same with the arguments as one line, split at spaces (test paths hold none).
inline RunResult run_allocsim(const std::string& args) {
  std::vector<std::string> words;
  std::istringstream in(args);
  for (std::string w; in >> w;) words.push_back(w);
  return run_allocsim(std::move(words));
}

inline bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// Starts allocsim ARGS... with stdout and stderr into `log`, for a test that
// stops it; returns its pid.
inline pid_t start_allocsim(const std::vector<std::string>& args, const std::string& log) {
  sim::ProcessSpec p;
  p.argv = {kAllocsimBinary};
  p.argv.insert(p.argv.end(), args.begin(), args.end());
  p.env = sim::environment_with({}, {});
  p.stdout_path = p.stderr_path = log;
  return sim::spawn(p);
}
// The shell's convention: the exit code, or 128 + the signal that killed it.
inline int wait_exit_code(pid_t pid) { return sim::wait_exit(pid).shell_code(); }
// Runs allocsim to completion with its output in `log`; returns the exit code.
inline int run_allocsim(const std::vector<std::string>& args, const std::string& log) {
  return wait_exit_code(start_allocsim(args, log));
}

}  // namespace allocsim::testing
