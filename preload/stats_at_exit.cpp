#include "preload/stats_at_exit.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "preload/runtime.hpp"
#include "preload/stats_json.hpp"

namespace allocsim::preload {
namespace {

struct Request {
  std::string path;  // "" when ALLOCSIM_STATS is unset
  std::string policy;
  allocator::Config config;
  std::chrono::steady_clock::time_point start;
  std::uint64_t baseline_rss_bytes;
};
// Built with the heap and never destroyed: it is read after other
// libraries' destructors may have run.
Request* g_request = nullptr;
bool g_forked_child = false;

std::string expand(const std::string& pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 'p') {
      out += std::to_string(getpid());
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

bool per_process(const std::string& pattern) { return pattern.find("%p") != std::string::npos; }

// The process's RSS now (/proc/self/statm), read with plain system calls:
// this runs inside the first malloc. 0 when unavailable.
std::uint64_t rss_now() {
  const int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[128] = {};
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return 0;
  char* rest = nullptr;
  std::strtoull(text, &rest, 10);  // size
  return std::strtoull(rest, nullptr, 10) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

void say(const std::string& line) {
  const std::string text = "allocsim: " + line + "\n";
  [[maybe_unused]] const auto n = write(STDERR_FILENO, text.data(), text.size());
}

__attribute__((destructor)) void write_stats_at_exit() {
  allocator::Heap* heap = current_heap();
  if (!heap || !g_request || g_request->path.empty()) return;
  if (g_forked_child && !per_process(g_request->path)) return;
  const std::string path = expand(g_request->path);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - g_request->start).count();
  try {
    const std::string tmp = path + ".tmp" + std::to_string(getpid());
    {
      std::ofstream out(tmp);
      write_stats_json(out, *heap,
                       StatsIdentity{g_request->policy, &g_request->config, wall, g_request->baseline_rss_bytes});
      out.flush();
      if (!out) throw std::runtime_error("cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp + " to " + path);
  } catch (const std::exception& e) {
    say(std::string("ALLOCSIM_STATS: ") + e.what());
  }
}

}  // namespace

void remember_stats_request(const std::string& policy, const allocator::Config& config) {
  const char* path = std::getenv("ALLOCSIM_STATS");
  if (!path || !*path) return;
  g_request = new Request{path, policy, config, std::chrono::steady_clock::now(), rss_now()};
}

void note_forked_child() { g_forked_child = true; }

}  // namespace allocsim::preload
