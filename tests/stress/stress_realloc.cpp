// realloc chains: each thread keeps `chains` live objects and reallocs a
// random one at each step, growing and shrinking it across size classes:
// appends of a few bytes (a growing string), doublings, halvings, jumps
// from small to beyond the page-size class (64 KiB, dedicated mappings)
// and back. After every realloc the preserved prefix must hold the old
// pattern; the object is then refilled with the pattern of its new size.
// A chain ends with free (verified) and a new one starts with
// realloc(NULL, n); some steps go through reallocarray.
#include <pthread.h>
#include <stdlib.h>

#include <vector>

#include "object.hpp"
#include "summary.hpp"

namespace {

using stress::Object;

struct Config {
  std::uint64_t seed, steps, chains, max;
};

struct Thread {
  const Config* config;
  unsigned index;
  std::uint64_t digest = 0, reallocs = 0, chains_ended = 0, bytes_checked = 0;
};

std::size_t next_size(stress::Rng& rng, std::size_t size, std::size_t max) {
  std::size_t n;
  switch (rng.below(10)) {
    case 0: case 1: case 2: n = size + rng.between(1, 32); break;  // append
    case 3: n = size * 2; break;                                  // double
    case 4: case 5: n = size / 2; break;                          // halve
    case 6: n = size > 16 ? size - rng.between(1, 16) : size; break;  // trim
    case 7: n = rng.log_size(1, 256); break;                      // back to small
    case 8: n = rng.log_size(256, 64 * 1024); break;              // medium
    default: n = rng.chance(1, 3) ? rng.log_size(64 * 1024, max) : rng.log_size(1, 4096); break;  // large, rarely
  }
  return n < 1 ? 1 : n > max ? max : n;
}

void* run(void* arg) {
  auto& t = *static_cast<Thread*>(arg);
  const Config& c = *t.config;
  stress::Rng rng(c.seed, t.index);
  std::uint64_t id = static_cast<std::uint64_t>(t.index) << 40;
  std::vector<Object> chains(c.chains);
  for (std::uint64_t step = 0; step < c.steps; ++step) {
    Object& o = chains[rng.below(chains.size())];
    if (!o) {  // a new chain starts from NULL
      const std::size_t n = rng.log_size(1, 512);
      void* p = std::realloc(nullptr, n);
      if (!p) stress::die_alloc("realloc(NULL)", n, id);
      o = stress::adopt_object(p, n, id++);
      continue;
    }
    if (rng.chance(1, 50)) {  // the chain ends
      t.digest += stress::free_object(o, "before free (end of chain)");
      ++t.chains_ended;
      continue;
    }
    const std::size_t n = next_size(rng, o.size, c.max);
    t.bytes_checked += std::min(n, o.size);
    if (rng.chance(1, 8)) {  // reallocarray: n = elements * 1
      auto* p = static_cast<unsigned char*>(reallocarray(o.p, n, 1));
      if (!p) stress::die_alloc("reallocarray", n, o.id);
      stress::check_pattern(p, std::min(n, o.size), o.id, o.size, "prefix after reallocarray");
      stress::fill_pattern(p, n, o.id, n);
      o.p = p;
      o.size = n;
    } else {
      stress::realloc_object(o, n);
    }
    t.digest += stress::object_digest(o.id, o.size);
    ++t.reallocs;
  }
  for (Object& o : chains)
    if (o) t.digest += stress::free_object(o, "at exit");
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const stress::Params params(argc, argv, "stress_realloc",
                              "realloc chains growing and shrinking across size classes, prefixes verified.",
                              {{"threads", 2, 2, "threads, each with its own chains"},
                               {"steps", 12000, 150000, "realloc steps per thread"},
                               {"chains", 32, 32, "live objects per thread"},
                               {"max", 2 << 20, 2 << 20, "largest size (bytes)"},
                               {"seed", 1, 1, "random seed"}});
  const Config config{static_cast<std::uint64_t>(params["seed"]), static_cast<std::uint64_t>(params["steps"]),
                      params.size("chains"), params.size("max")};
  if (config.chains < 1 || config.max < 4096) stress::die("bad parameters");
  const unsigned n = static_cast<unsigned>(params["threads"]);
  std::vector<Thread> threads;
  for (unsigned i = 0; i < n; ++i) threads.push_back({&config, i});
  std::vector<pthread_t> ids(n);
  for (unsigned i = 0; i < n; ++i)
    if (pthread_create(&ids[i], nullptr, run, &threads[i]) != 0) stress::die("pthread_create failed");
  std::uint64_t digest = 0, reallocs = 0, ended = 0, checked = 0;
  for (unsigned i = 0; i < n; ++i) {
    pthread_join(ids[i], nullptr);
    digest += threads[i].digest;
    reallocs += threads[i].reallocs;
    ended += threads[i].chains_ended;
    checked += threads[i].bytes_checked;
  }
  stress::print_summary(params, {{"reallocs", reallocs}, {"chains_ended", ended}, {"prefix_bytes", checked}, {"checksum", digest}});
  return 0;
}
