// fork while allocating: `workers` threads replace random objects in
// their own tables while `forkers` threads each fork `forks` times (and
// allocate between forks). Each child, alone in its copy of the process:
//   - verifies every object the parent's threads had published at the
//     moment of the fork (a slot's pointer is stored only after the object
//     is filled, and cleared before it is freed), then frees half of them:
//     frees of memory whose allocating threads do not exist in the child;
//   - churns its own objects, on its own thread and on one it starts;
//   - forks a grandchild that does the same (`depth` levels), and checks
//     its exit status;
// and exits with status 0 when everything held. The parent checks every
// child's status; the summary counts only what the arguments determine.
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <vector>

#include "object.hpp"
#include "summary.hpp"

namespace {

using stress::Object;

// A slot one worker owns. `p` is published after the object is filled and
// cleared before it is freed, so in a child a non-null `p` is a whole,
// live object whose size and id are those beside it.
struct Slot {
  std::atomic<unsigned char*> p{nullptr};
  std::size_t size = 0;
  std::uint64_t id = 0;
};

struct Config {
  std::uint64_t seed, ops, slots, forks, depth, child_ops;
  unsigned workers, forkers;
};
Config g_config;
std::vector<std::vector<Slot>> g_tables;  // one per worker, then one per forker

enum ChildStatus { kOk = 0, kGrandchildFailed = 2, kForkFailed = 3 };

std::size_t object_size(stress::Rng& rng) {
  return rng.chance(1, 32) ? rng.log_size(4096, 256 * 1024) : rng.log_size(1, 4096);
}

void publish(Slot& s, std::uint64_t id, std::size_t size) {
  Object o = stress::new_object(id, size);
  s.size = o.size;
  s.id = o.id;
  s.p.store(o.p, std::memory_order_release);
}

// Clears the slot, then verifies and frees its object; returns its digest.
std::uint64_t retract(Slot& s, const char* when) {
  unsigned char* p = s.p.exchange(nullptr, std::memory_order_acq_rel);
  if (!p) return 0;
  Object o{p, s.size, s.id};
  return stress::free_object(o, when);
}

// Allocation churn in a child (on its main thread and on a thread it starts).
struct Churn {
  std::uint64_t seed;
};
void* churn(void* arg) {
  stress::Rng rng(static_cast<Churn*>(arg)->seed);
  Object local[64];
  for (std::uint64_t op = 0; op < g_config.child_ops; ++op) {
    Object& o = local[rng.below(64)];
    if (o) stress::free_object(o, "before free (in a forked child)");
    else o = stress::new_object((1ULL << 62) | op, object_size(rng));
  }
  for (Object& o : local)
    if (o) stress::free_object(o, "before free (in a forked child)");
  return nullptr;
}

pid_t fork_child(std::uint64_t serial, unsigned depth);

[[noreturn]] void child_main(std::uint64_t serial, unsigned depth) {
  // Inherited objects: verify all, free every other one.
  std::size_t k = 0;
  for (auto& table : g_tables)
    for (Slot& s : table) {
      unsigned char* p = s.p.load(std::memory_order_acquire);
      if (!p) continue;
      stress::check_pattern(p, s.size, s.id, s.size, "inherited by a forked child");
      if (++k % 2 == 0) retract(s, "before free (inherited, in a forked child)");
    }
  Churn own{serial * 2}, other{serial * 2 + 1};
  pthread_t thread;
  if (pthread_create(&thread, nullptr, churn, &other) != 0) stress::die("pthread_create failed in a child");
  churn(&own);
  pthread_join(thread, nullptr);
  int status = kOk;
  if (depth > 1) {
    const pid_t grandchild = fork_child(serial * 131 + 7, depth - 1);
    int ws = 0;
    if (grandchild < 0) status = kForkFailed;
    else if (waitpid(grandchild, &ws, 0) != grandchild || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) status = kGrandchildFailed;
  }
  _exit(status);  // no exit handlers: they belong to the parent
}

pid_t fork_child(std::uint64_t serial, unsigned depth) {
  const pid_t pid = fork();
  if (pid == 0) child_main(serial, depth);
  return pid;
}

struct Worker {
  unsigned index;
  std::uint64_t digest = 0, allocs = 0;
};

void* work(void* arg) {
  auto& w = *static_cast<Worker*>(arg);
  stress::Rng rng(g_config.seed, w.index);
  std::vector<Slot>& table = g_tables[w.index];
  std::uint64_t id = static_cast<std::uint64_t>(w.index) << 40;
  for (std::uint64_t op = 0; op < g_config.ops; ++op) {
    Slot& s = table[rng.below(table.size())];
    w.digest += retract(s, "before free (worker)");
    publish(s, id++, object_size(rng));
    ++w.allocs;
  }
  return nullptr;
}

struct Forker {
  unsigned index;
  std::uint64_t children_ok = 0, digest = 0;
};

void* fork_repeatedly(void* arg) {
  auto& f = *static_cast<Forker*>(arg);
  stress::Rng rng(g_config.seed, 1000 + f.index);
  std::vector<Slot>& table = g_tables[g_config.workers + f.index];
  std::uint64_t id = (1000ULL + f.index) << 40;
  for (std::uint64_t k = 0; k < g_config.forks; ++k) {
    for (int i = 0; i < 50; ++i) {  // allocate between forks
      Slot& s = table[rng.below(table.size())];
      f.digest += retract(s, "before free (forker)");
      publish(s, id++, object_size(rng));
    }
    const std::uint64_t serial = (static_cast<std::uint64_t>(f.index) << 20) | k;
    const pid_t pid = fork_child(serial, static_cast<unsigned>(g_config.depth));
    if (pid < 0) stress::die("fork failed");
    int ws = 0;
    if (waitpid(pid, &ws, 0) != pid) stress::die("waitpid failed");
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
      ++f.children_ok;
    } else {
      char what[160];
      std::snprintf(what, sizeof what, "child %llu of forker %u: %s %d", static_cast<unsigned long long>(k), f.index,
                    WIFEXITED(ws) ? "exit status" : "killed by signal", WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws));
      stress::die(what);
    }
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const stress::Params params(argc, argv, "stress_fork",
                              "Threads allocate while other threads fork; children verify inherited objects and fork again.",
                              {{"workers", 2, 2, "allocating threads"},
                               {"forkers", 2, 2, "forking threads"},
                               {"forks", 6, 40, "forks per forking thread"},
                               {"depth", 2, 2, "generations below the parent (child, grandchild, ...)"},
                               {"ops", 40000, 400000, "object replacements per worker"},
                               {"slots", 512, 512, "objects per worker"},
                               {"child_ops", 3000, 6000, "alloc/free operations per child thread"},
                               {"seed", 1, 1, "random seed"}});
  g_config = {static_cast<std::uint64_t>(params["seed"]), static_cast<std::uint64_t>(params["ops"]),
              params.size("slots"), static_cast<std::uint64_t>(params["forks"]),
              static_cast<std::uint64_t>(params["depth"]), static_cast<std::uint64_t>(params["child_ops"]),
              static_cast<unsigned>(params["workers"]), static_cast<unsigned>(params["forkers"])};
  if (g_config.slots < 1 || g_config.depth < 1) stress::die("bad parameters");
  g_tables = std::vector<std::vector<Slot>>(g_config.workers + g_config.forkers);
  for (auto& t : g_tables) t = std::vector<Slot>(g_config.slots);
  std::fflush(stdout);  // nothing buffered for the children to inherit
  std::vector<Worker> workers(g_config.workers);
  std::vector<Forker> forkers(g_config.forkers);
  std::vector<pthread_t> ids;
  for (unsigned i = 0; i < g_config.workers; ++i) {
    workers[i].index = i;
    pthread_t t;
    if (pthread_create(&t, nullptr, work, &workers[i]) != 0) stress::die("pthread_create failed");
    ids.push_back(t);
  }
  for (unsigned i = 0; i < g_config.forkers; ++i) {
    forkers[i].index = i;
    pthread_t t;
    if (pthread_create(&t, nullptr, fork_repeatedly, &forkers[i]) != 0) stress::die("pthread_create failed");
    ids.push_back(t);
  }
  for (pthread_t t : ids) pthread_join(t, nullptr);
  std::uint64_t digest = 0, allocs = 0, children_ok = 0;
  for (const auto& w : workers) {
    digest += w.digest;
    allocs += w.allocs;
  }
  for (const auto& f : forkers) {
    digest += f.digest;
    children_ok += f.children_ok;
  }
  for (auto& table : g_tables)
    for (Slot& s : table) digest += retract(s, "at exit");
  stress::print_summary(params, {{"worker_allocs", allocs}, {"children_ok", children_ok}, {"checksum", digest}});
  return 0;
}
