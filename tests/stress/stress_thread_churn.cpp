// Thread churn: `generations` waves of `threads` short-lived threads. A
// shared table of slots outlives them; in each generation the slots are
// dealt to the threads in a different rotation, so a thread frees (after
// verifying) objects that threads of earlier, exited generations
// allocated, and leaves its own for later ones. Each thread also churns a
// private set of short-lived objects, freed before it exits. The main
// thread joins each generation before starting the next.
#include <pthread.h>

#include <vector>

#include "object.hpp"
#include "summary.hpp"

namespace {

using stress::Object;

struct Config {
  std::uint64_t seed, objects, private_ops;
  unsigned threads;
};

struct Worker {
  const Config* config;
  std::vector<Object>* table;
  unsigned generation, index;
  std::uint64_t digest = 0, allocs = 0, frees = 0;
};

std::size_t churn_size(stress::Rng& rng) {
  // Mostly small, one in 64 up to 256 KiB (beyond the page-size class).
  return rng.chance(1, 64) ? rng.log_size(8192, 256 * 1024) : rng.log_size(1, 8192);
}

void* work(void* arg) {
  auto& w = *static_cast<Worker*>(arg);
  const Config& c = *w.config;
  const std::uint64_t stream = static_cast<std::uint64_t>(w.generation) * c.threads + w.index;
  stress::Rng rng(c.seed, stream);
  std::uint64_t next_id = stream << 32;
  // Shared slots: this generation's share, rotated so the previous owner was another thread.
  std::vector<Object>& table = *w.table;
  for (std::size_t i = (w.index + w.generation) % c.threads; i < table.size(); i += c.threads) {
    Object& slot = table[i];
    if (slot && rng.chance(1, 2)) {
      w.digest += stress::free_object(slot, "before free (allocated by an earlier generation)");
      ++w.frees;
    }
    if (!slot && rng.chance(2, 3)) {
      slot = stress::new_object(next_id++, churn_size(rng));
      ++w.allocs;
    }
  }
  // Private short-lived objects.
  Object local[32];
  for (std::uint64_t op = 0; op < c.private_ops; ++op) {
    Object& o = local[rng.below(32)];
    if (o) {
      w.digest += stress::free_object(o);
      ++w.frees;
    } else {
      o = stress::new_object(next_id++, churn_size(rng));
      ++w.allocs;
    }
  }
  for (Object& o : local)
    if (o) {
      w.digest += stress::free_object(o);
      ++w.frees;
    }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const stress::Params params(argc, argv, "stress_thread_churn",
                              "Generations of short-lived threads; frees of objects allocated by exited threads.",
                              {{"generations", 60, 600, "waves of threads, each joined before the next"},
                               {"threads", 4, 4, "threads per generation"},
                               {"objects", 2000, 2000, "shared slots (objects outliving their thread)"},
                               {"private", 1000, 1000, "private alloc/free operations per thread"},
                               {"seed", 1, 1, "random seed"}});
  const Config config{static_cast<std::uint64_t>(params["seed"]), params.size("objects"), params.size("private"),
                      static_cast<unsigned>(params["threads"])};
  if (config.threads < 1) stress::die("bad parameters");
  std::vector<Object> table(config.objects);
  std::uint64_t digest = 0, allocs = 0, frees = 0;
  for (unsigned g = 0; g < params["generations"]; ++g) {
    std::vector<Worker> workers;
    for (unsigned t = 0; t < config.threads; ++t) workers.push_back({&config, &table, g, t});
    std::vector<pthread_t> ids(config.threads);
    for (unsigned t = 0; t < config.threads; ++t)
      if (pthread_create(&ids[t], nullptr, work, &workers[t]) != 0) stress::die("pthread_create failed");
    for (unsigned t = 0; t < config.threads; ++t) {
      pthread_join(ids[t], nullptr);
      digest += workers[t].digest;
      allocs += workers[t].allocs;
      frees += workers[t].frees;
    }
  }
  for (Object& o : table)
    if (o) {
      digest += stress::free_object(o, "at exit");
      ++frees;
    }
  stress::print_summary(params, {{"allocs", allocs}, {"frees", frees}, {"checksum", digest}});
  return allocs == frees ? 0 : 1;
}
