// Runs a program and writes what it cost to a file, for scripts/bench.sh:
//   run_measured OUT.json PROGRAM ARGS...
// OUT.json: {"wall_s": .., "cpu_s": .., "peak_rss_bytes": .., "exit_code": .., "signal": ..}
// CPU time and peak RSS come from wait4(): the program and every descendant
// it waited for. Why a separate process: Linux keeps a process's peak RSS
// across exec, so a program started straight from a large process (the
// Python driver) would report at least that process's size. Forked from
// this small one, it starts near zero. stdin, stdout and stderr pass through.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: run_measured OUT.json PROGRAM ARGS...\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("run_measured: fork");
    return 2;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    std::perror("run_measured: exec");
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) {
    std::perror("run_measured: wait4");
    return 2;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  std::FILE* out = std::fopen(argv[1], "w");
  if (!out) {
    std::perror(argv[1]);
    return 2;
  }
  std::fprintf(out, "{\"wall_s\": %.6f, \"cpu_s\": %.6f, \"peak_rss_bytes\": %ld, \"exit_code\": %d, \"signal\": %d}\n",
               wall, cpu, usage.ru_maxrss * 1024L, code, sig);
  std::fclose(out);
  return code < 0 ? 128 + sig : code;
}
