#include "sim/common/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <system_error>

extern char** environ;

namespace allocsim::sim {
namespace {

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// argv[0] as execve wants it: a name without '/' is looked up in $PATH
// here, before the fork (the child may only make async-signal-safe calls).
std::string resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = (end > start ? dirs.substr(start, end - start) : ".") + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return program;  // execve reports ENOENT
}

int redirect(const std::string& path, int target, int flags) {
  if (path.empty()) return 0;
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return -1;
  if (fd != target && (::dup2(fd, target) < 0 || ::close(fd) < 0)) return -1;
  return 0;
}

// The child: only async-signal-safe calls. A failure is reported to the
// parent as an errno through `report` (close-on-exec: an exec that works
// closes it with nothing written).
[[noreturn]] void child(const ProcessSpec& spec, const char* path, char* const* argv, char* const* envp, pid_t parent,
                        int report) {
  int failed = 0;
  if (spec.die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (const int s : spec.default_signals) ::sigaction(s, &dfl, nullptr);
  if (redirect(spec.stdin_path, 0, O_RDONLY) < 0 || redirect(spec.stdout_path, 1, O_WRONLY | O_CREAT | O_TRUNC) < 0 ||
      (spec.stderr_path == spec.stdout_path && !spec.stderr_path.empty()
           ? ::dup2(1, 2) < 0
           : redirect(spec.stderr_path, 2, O_WRONLY | O_CREAT | O_TRUNC) < 0) ||
      (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) < 0)) {
    failed = errno;
  } else {
    ::execve(path, argv, envp);
    failed = errno;
  }
  [[maybe_unused]] const auto n = ::write(report, &failed, sizeof failed);
  ::_exit(127);
}

}  // namespace

std::vector<std::string> environment_with(const std::vector<std::string>& drop, const std::vector<std::string>& add) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool dropped = false;
    for (const auto& d : drop) dropped = dropped || d == name;
    if (!dropped) env.push_back(entry);
  }
  env.insert(env.end(), add.begin(), add.end());
  return env;
}

pid_t spawn(const ProcessSpec& spec) {
  const std::string path = resolve(spec.argv.at(0));
  auto argv = c_strings(spec.argv);
  auto envp = c_strings(spec.env);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) < 0) throw std::system_error(errno, std::generic_category(), "pipe");
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) child(spec, path.c_str(), argv.data(), envp.data(), parent, report[1]);
  const int fork_errno = errno;
  ::close(report[1]);
  if (pid < 0) {
    ::close(report[0]);
    throw std::system_error(fork_errno, std::generic_category(), "fork");
  }
  int failed = 0;
  ssize_t n;
  while ((n = ::read(report[0], &failed, sizeof failed)) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof failed)) {
    ::waitpid(pid, nullptr, 0);
    throw std::system_error(failed, std::generic_category(), "cannot start " + spec.argv[0]);
  }
  return pid;
}

ExitStatus exit_status(int wait_status) {
  ExitStatus s;
  if (WIFEXITED(wait_status)) s.code = WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) s.signal = WTERMSIG(wait_status);
  return s;
}

ExitStatus wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  return exit_status(status);
}

ExitStatus wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  // A pidfd becomes readable when the child ends.
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "pidfd_open");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool ended = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
    if (r > 0) {
      ended = true;
      break;
    }
    if (r == 0) break;
    if (errno != EINTR) break;
  }
  ::close(fd);
  if (ended) return wait_exit(pid);
  ::kill(pid, SIGKILL);
  ExitStatus s = wait_exit(pid);
  s.timed_out = true;
  return s;
}

}  // namespace allocsim::sim
