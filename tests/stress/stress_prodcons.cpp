// Producer/consumer handoff (the shape of mimalloc-bench's xmalloc-test):
// producer threads allocate objects and pass them in batches through a
// bounded queue; consumer threads verify and free them, so nearly every
// free is a cross-thread free of memory whose allocating thread is still
// allocating. Some objects are realloc'd by the consumer first (a
// cross-thread realloc). The batches themselves are malloc'd by the
// producer and freed by the consumer.
#include <pthread.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "object.hpp"
#include "summary.hpp"

namespace {

using stress::Object;

struct Batch {
  std::size_t count;
  Object objects[];  // flexible array: one malloc per batch
};

struct Queue {
  std::mutex mutex;
  std::condition_variable not_full, not_empty;
  std::deque<Batch*> batches;
  std::size_t capacity = 0;
  unsigned producers_left = 0;

  void push(Batch* b) {
    std::unique_lock lock(mutex);
    not_full.wait(lock, [&] { return batches.size() < capacity; });
    batches.push_back(b);
    not_empty.notify_one();
  }
  // nullptr once every producer has finished and the queue is drained.
  Batch* pop() {
    std::unique_lock lock(mutex);
    not_empty.wait(lock, [&] { return !batches.empty() || producers_left == 0; });
    if (batches.empty()) return nullptr;
    Batch* b = batches.front();
    batches.pop_front();
    not_full.notify_one();
    return b;
  }
  void producer_done() {
    std::lock_guard lock(mutex);
    --producers_left;
    not_empty.notify_all();
  }
};

struct Config {
  std::uint64_t seed, messages, batch;
};

Queue g_queue;
Config g_config;

// xmalloc-test's sizes are small; here also some medium and a few beyond the page-size class.
std::size_t message_size(stress::Rng& rng) {
  const std::uint64_t r = rng.below(100);
  if (r < 60) return rng.log_size(1, 256);
  if (r < 90) return rng.log_size(257, 4096);
  if (r < 99) return rng.log_size(4097, 64 * 1024);
  return rng.log_size(64 * 1024 + 1, 1024 * 1024);
}

struct Producer {
  unsigned index;
  std::uint64_t allocs = 0;
};

void* produce(void* arg) {
  auto& p = *static_cast<Producer*>(arg);
  stress::Rng rng(g_config.seed, p.index);
  std::uint64_t id = static_cast<std::uint64_t>(p.index) << 40;
  for (std::uint64_t sent = 0; sent < g_config.messages;) {
    const std::size_t n = std::min<std::uint64_t>(g_config.batch, g_config.messages - sent);
    auto* b = static_cast<Batch*>(std::malloc(sizeof(Batch) + n * sizeof(Object)));
    if (!b) stress::die_alloc("malloc", sizeof(Batch) + n * sizeof(Object), 0);
    b->count = n;
    for (std::size_t i = 0; i < n; ++i) b->objects[i] = stress::new_object(id++, message_size(rng));
    p.allocs += n;
    sent += n;
    g_queue.push(b);
  }
  g_queue.producer_done();
  return nullptr;
}

struct Consumer {
  std::uint64_t digest = 0, frees = 0, reallocs = 0;
};

void* consume(void* arg) {
  auto& c = *static_cast<Consumer*>(arg);
  while (Batch* b = g_queue.pop()) {
    for (std::size_t i = 0; i < b->count; ++i) {
      Object& o = b->objects[i];
      // Which objects are realloc'd, and to what size, depends on the object only, not on the consumer.
      if (o.id % 7 == 0) {
        stress::Rng per_object(o.id);
        stress::realloc_object(o, message_size(per_object));
        ++c.reallocs;
      }
      c.digest += stress::free_object(o, "before free (consumer)");
      ++c.frees;
    }
    std::free(b);
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const stress::Params params(argc, argv, "stress_prodcons",
                              "Producers allocate, consumers verify and free (cross-thread handoff).",
                              {{"producers", 2, 2, "allocating threads"},
                               {"consumers", 2, 2, "freeing threads"},
                               {"messages", 40000, 500000, "objects per producer"},
                               {"batch", 32, 32, "objects per queue entry"},
                               {"queue", 64, 64, "queue capacity in batches"},
                               {"seed", 1, 1, "random seed"}});
  g_config = {static_cast<std::uint64_t>(params["seed"]), static_cast<std::uint64_t>(params["messages"]),
              static_cast<std::uint64_t>(params["batch"])};
  const unsigned producers = static_cast<unsigned>(params["producers"]), consumers = static_cast<unsigned>(params["consumers"]);
  if (producers < 1 || consumers < 1 || g_config.batch < 1 || params["queue"] < 1) stress::die("bad parameters");
  g_queue.capacity = params.size("queue");
  g_queue.producers_left = producers;
  std::vector<Producer> ps(producers);
  std::vector<Consumer> cs(consumers);
  std::vector<pthread_t> ids(producers + consumers);
  for (unsigned i = 0; i < consumers; ++i)
    if (pthread_create(&ids[producers + i], nullptr, consume, &cs[i]) != 0) stress::die("pthread_create failed");
  for (unsigned i = 0; i < producers; ++i) {
    ps[i].index = i;
    if (pthread_create(&ids[i], nullptr, produce, &ps[i]) != 0) stress::die("pthread_create failed");
  }
  for (pthread_t t : ids) pthread_join(t, nullptr);
  std::uint64_t allocs = 0, frees = 0, reallocs = 0, digest = 0;
  for (const auto& p : ps) allocs += p.allocs;
  for (const auto& c : cs) {
    frees += c.frees;
    reallocs += c.reallocs;
    digest += c.digest;
  }
  stress::print_summary(params, {{"allocs", allocs}, {"reallocs", reallocs}, {"frees", frees}, {"checksum", digest}});
  return allocs == frees ? 0 : 1;
}
