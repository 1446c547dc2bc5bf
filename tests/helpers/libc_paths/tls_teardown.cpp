// libc path: allocation during thread teardown. Each thread's exit runs C++
// thread_local destructors (__call_tls_dtors) and pthread key destructors
// that allocate and free, some of them after the allocator has handed the
// thread's own context back; glibc then frees the thread's TLS and DTV.
// More than 32 keys exist, so a thread's first pthread_setspecific
// allocates (glibc's second-level key array), also inside the allocator's
// own first call on that thread.
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

std::mutex g_mutex;
unsigned long g_sum = 0;
pthread_key_t g_keys[40];

struct Teardown {
  std::vector<std::string> words;
  ~Teardown() {
    std::string all;
    for (const auto& w : words) all += w;
    char* copy = strdup(all.c_str());
    std::lock_guard lock(g_mutex);
    g_sum += std::strlen(copy);
    std::free(copy);
  }
};
thread_local Teardown t_teardown;

void key_destructor(void* value) {
  void* grown = std::realloc(value, 4000);  // realloc during exit
  std::memset(grown, 0, 4000);
  std::free(grown);
  std::lock_guard lock(g_mutex);
  g_sum += 1;
}

void worker(int id) {
  for (int i = 0; i < 10; ++i) t_teardown.words.push_back(std::string(std::size_t(5 + id % 7), 'w'));
  for (pthread_key_t key : g_keys) pthread_setspecific(key, std::malloc(24));
}

}  // namespace

int main() {
  for (pthread_key_t& key : g_keys) pthread_key_create(&key, key_destructor);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) threads.emplace_back(worker, round * 8 + i);
    for (auto& t : threads) t.join();
  }
  std::printf("teardown sum %lu\n", g_sum);
  return 0;
}
