// Preload test helper: fork and exec under a preloaded malloc.
//
// Two threads churn the heap while the main thread forks children. Each
// child allocates, frees and reallocates some 60 000 blocks (so
// its own collector must run), checks every byte it wrote, forks a
// grandchild that does the same, and then either execs this program again
// ("exec-child N") or exits. The output depends only on the arguments.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

std::uint64_t next(std::uint64_t& s) {
  s = s * 6364136223846793005ULL + 1442695040888963407ULL;
  return s >> 33;
}

// Allocates, fills, checks and frees; returns a checksum or 0 on a corrupted byte.
std::uint64_t churn(std::uint64_t seed, int rounds) {
  std::vector<unsigned char*> live(512, nullptr);
  std::vector<std::size_t> sizes(512, 0);
  std::uint64_t sum = 1;
  for (int i = 0; i < rounds; ++i) {
    const std::size_t slot = next(seed) % live.size();
    if (live[slot]) {
      for (std::size_t b = 0; b < sizes[slot]; ++b)
        if (live[slot][b] != static_cast<unsigned char>(slot + b)) return 0;
      sum += live[slot][sizes[slot] / 2];
      if (next(seed) % 4 == 0) {
        const std::size_t grow = sizes[slot] * 2 + 1;
        auto* p = static_cast<unsigned char*>(std::realloc(live[slot], grow));
        for (std::size_t b = sizes[slot]; b < grow; ++b) p[b] = static_cast<unsigned char>(slot + b);
        live[slot] = p;
        sizes[slot] = grow;
        continue;
      }
      std::free(live[slot]);
      live[slot] = nullptr;
      continue;
    }
    const std::size_t n = 1 + next(seed) % (next(seed) % 32 == 0 ? 20000 : 600);
    auto* p = static_cast<unsigned char*>(std::malloc(n));
    for (std::size_t b = 0; b < n; ++b) p[b] = static_cast<unsigned char>(slot + b);
    live[slot] = p;
    sizes[slot] = n;
  }
  for (auto* p : live) std::free(p);
  return sum;
}

int wait_status(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

[[noreturn]] void run_child(const char* self, int i) {
  const std::uint64_t sum = churn(1000 + i, 60000);
  std::printf("child %d: churn %s\n", i, sum ? "ok" : "CORRUPTED");
  std::fflush(stdout);
  const pid_t grandchild = fork();
  if (grandchild == 0) _exit(churn(5000 + i, 20000) ? 0 : 3);
  std::printf("child %d: grandchild exit %d\n", i, wait_status(grandchild));
  std::fflush(stdout);
  if (i % 2 == 0) {
    const std::string arg = std::to_string(i);
    execl(self, self, "exec-child", arg.c_str(), static_cast<char*>(nullptr));
    std::perror("execl");
    _exit(4);
  }
  std::exit(sum ? 0 : 2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::strcmp(argv[1], "exec-child") == 0) {
    const int i = std::atoi(argv[2]);
    std::printf("exec-child %d: churn %s\n", i, churn(9000 + i, 40000) ? "ok" : "CORRUPTED");
    return 0;
  }
  const int children = argc > 1 ? std::atoi(argv[1]) : 8;
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w)
    workers.emplace_back([&stop, w] {
      std::uint64_t round = 0;
      while (!stop.load()) {  // keeps the heap busy when fork comes, but leaves the CPUs to the children
        churn(77 + w * 1000 + round++, 200);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  for (int i = 0; i < children; ++i) {
    std::fflush(stdout);  // the child must not inherit buffered output
    const pid_t pid = fork();
    if (pid < 0) {
      std::perror("fork");
      return 1;
    }
    if (pid == 0) run_child(argv[0], i);
    std::printf("parent: child %d exit %d\n", i, wait_status(pid));
  }
  stop.store(true);
  for (auto& t : workers) t.join();
  std::printf("parent: churn %s\n", churn(42, 40000) ? "ok" : "CORRUPTED");
  return 0;
}
