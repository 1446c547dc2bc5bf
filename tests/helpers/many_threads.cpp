// Preload test helper: many short-lived threads.
//
// Generations of threads are created and joined. Each thread allocates
// blocks, frees some of the previous generation's (cross-thread frees of
// memory whose owner has exited), leaves some for the next, and owns a
// thread_local object and a pthread-key value whose destructors allocate
// and free while the thread exits - after the allocator may already have
// handed the thread's own context back. Prints a checksum of what it read.
#include <pthread.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

std::mutex g_mutex;
std::vector<char*> g_handoff;  // blocks made by one generation, freed by the next
std::uint64_t g_sum = 0;
pthread_key_t g_key;

struct ExitWork {
  std::vector<std::string> strings;
  ~ExitWork() {
    std::string joined;
    for (const auto& s : strings) joined += s;
    std::lock_guard lock(g_mutex);
    g_sum += joined.size();
  }
};
thread_local ExitWork t_exit_work;

void key_destructor(void* value) {
  char* copy = strdup(static_cast<char*>(value));  // allocates during thread exit
  std::free(value);
  std::lock_guard lock(g_mutex);
  g_sum += std::strlen(copy);
  std::free(copy);
}

void work(int generation, int index) {
  std::vector<char*> mine;
  for (int i = 0; i < 200; ++i) {
    const std::size_t n = 16 + static_cast<std::size_t>((generation * 31 + index * 7 + i * 13) % 3000);
    char* p = static_cast<char*>(std::malloc(n));
    std::memset(p, 'a' + i % 26, n - 1);
    p[n - 1] = '\0';
    mine.push_back(p);
  }
  for (int i = 0; i < 20; ++i) t_exit_work.strings.push_back(std::string(static_cast<std::size_t>(10 + i), 'x'));
  pthread_setspecific(g_key, strdup("key destructor value"));
  std::uint64_t local = 0;
  std::vector<char*> keep;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    local += std::strlen(mine[i]);
    if (i % 10 == 0) keep.push_back(mine[i]);
    else std::free(mine[i]);
  }
  std::lock_guard lock(g_mutex);
  for (char* p : g_handoff) {
    if (p[0] < 'a' || p[0] > 'z') std::abort();  // another thread's block, intact
    std::free(p);
  }
  g_handoff = std::move(keep);
  g_sum += local;
}

}  // namespace

int main(int argc, char** argv) {
  const int generations = argc > 1 ? std::atoi(argv[1]) : 300;
  const int width = argc > 2 ? std::atoi(argv[2]) : 8;
  pthread_key_create(&g_key, key_destructor);
  for (int g = 0; g < generations; ++g) {
    std::vector<std::thread> threads;
    for (int i = 0; i < width; ++i) threads.emplace_back(work, g, i);
    for (auto& t : threads) t.join();
  }
  for (char* p : g_handoff) std::free(p);
  std::printf("threads %d checksum %llu\n", generations * width, static_cast<unsigned long long>(g_sum));
  return 0;
}
