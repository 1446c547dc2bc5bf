// Larson-like server churn (the shape of mimalloc-bench's larson): each of
// `threads` lanes owns an array of `slots` objects; its thread replaces
// random slots (verify, free, allocate a new size uniform in [min, max]),
// so lifetimes are random (geometric). After `ops` replacements the thread
// starts its successor on the same array and exits; the successor joins
// it, so every object outlives the thread that allocated it and is freed
// by another. Lanes run without a barrier between rounds, as larson's do.
// `min=1024 max=262144 slots=64` is the large-size variant.
#include <pthread.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "object.hpp"
#include "summary.hpp"

namespace {

using stress::Object;

struct Lane {
  int index = 0;
  std::vector<Object> slots;
  std::uint64_t digest = 0, allocs = 0, frees = 0;
  pthread_t predecessor{};
  int round = 0;
};

struct Shared {
  std::uint64_t seed = 0, ops = 0, min = 0, max = 0;
  int threads = 0, rounds = 0;
  std::mutex mutex;
  std::condition_variable all_done;
  int lanes_done = 0;
  std::vector<pthread_t> last;  // the final thread of each lane, joined by main
};
Shared g;

void* lane_round(void* arg) {
  auto* lane = static_cast<Lane*>(arg);
  if (lane->round > 0) pthread_join(lane->predecessor, nullptr);
  const std::uint64_t stream = static_cast<std::uint64_t>(lane->round) * g.threads + lane->index;
  stress::Rng rng(g.seed, stream);
  for (std::uint64_t op = 0; op < g.ops; ++op) {
    Object& slot = lane->slots[rng.below(lane->slots.size())];
    if (slot) {
      lane->digest += stress::free_object(slot);
      ++lane->frees;
    }
    slot = stress::new_object((stream << 32) | op, rng.between(g.min, g.max));
    ++lane->allocs;
  }
  if (++lane->round < g.rounds) {
    lane->predecessor = pthread_self();
    pthread_t next;
    if (pthread_create(&next, nullptr, lane_round, lane) != 0) stress::die("pthread_create failed");
    return nullptr;
  }
  std::lock_guard lock(g.mutex);
  g.last[lane->index] = pthread_self();
  ++g.lanes_done;
  g.all_done.notify_one();
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const stress::Params params(argc, argv, "stress_larson", "Larson-like random slot replacement, arrays handed between threads.",
                              {{"threads", 4, 4, "lanes, each a chain of threads over one array"},
                               {"rounds", 8, 30, "threads per lane, one after the other"},
                               {"ops", 6000, 60000, "slot replacements per thread"},
                               {"slots", 1000, 1000, "objects per lane"},
                               {"min", 8, 8, "smallest request (bytes)"},
                               {"max", 1000, 1000, "largest request (bytes)"},
                               {"seed", 1, 1, "random seed"}});
  g.seed = params["seed"];
  g.ops = params["ops"];
  g.min = params["min"];
  g.max = params["max"];
  g.threads = static_cast<int>(params["threads"]);
  g.rounds = static_cast<int>(params["rounds"]);
  if (g.threads < 1 || g.rounds < 1 || params["slots"] < 1 || g.min > g.max) stress::die("bad parameters");
  g.last.resize(g.threads);
  std::vector<Lane> lanes(g.threads);
  for (int t = 0; t < g.threads; ++t) {
    lanes[t].index = t;
    lanes[t].slots.resize(params.size("slots"));
    pthread_t first;
    if (pthread_create(&first, nullptr, lane_round, &lanes[t]) != 0) stress::die("pthread_create failed");
  }
  {
    std::unique_lock lock(g.mutex);
    g.all_done.wait(lock, [] { return g.lanes_done == g.threads; });
  }
  for (pthread_t t : g.last) pthread_join(t, nullptr);
  std::uint64_t digest = 0, allocs = 0, frees = 0;
  for (auto& lane : lanes) {
    for (Object& o : lane.slots)
      if (o) {
        lane.digest += stress::free_object(o, "at exit");
        ++lane.frees;
      }
    digest += lane.digest;
    allocs += lane.allocs;
    frees += lane.frees;
  }
  stress::print_summary(params, {{"allocs", allocs}, {"frees", frees}, {"checksum", digest}});
  return allocs == frees ? 0 : 1;
}
