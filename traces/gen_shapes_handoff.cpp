// The shapes where objects cross threads: prodcons and larson. See
// docs/generators.md for what each models.
#include <deque>
#include <vector>

#include "traces/gen_emitter.hpp"

namespace allocsim::traces::gen {
namespace {

// The first index from a random start, cyclically, whose queue passes `ok`.
template <class Ok>
std::size_t pick_queue(GenRandom& rng, const std::vector<std::deque<std::uint64_t>>& queues, Ok ok) {
  const std::size_t start = static_cast<std::size_t>(rng.below(queues.size()));
  for (std::size_t i = 0; i < queues.size(); ++i) {
    const std::size_t q = (start + i) % queues.size();
    if (ok(queues[q])) return q;
  }
  return queues.size();  // unreachable while the caller checks the totals
}

}  // namespace

// Shape threads [0, P) produce, [P, threads) consume. Each consumer owns a
// FIFO queue; a producer allocates into a random non-full queue, and a
// consumer frees the oldest object of its queue. Producing has probability
// 1 - queued / capacity, so the objects in flight wander around half the
// capacity.
void generate_prodcons(Emitter& em) {
  const GeneratorOptions& o = em.options();
  GenRandom& rng = em.rng();
  const std::uint32_t producers = o.producers != 0 ? o.producers : o.threads / 2;
  const std::uint32_t consumers = o.threads - producers;
  std::vector<std::deque<std::uint64_t>> queues(consumers);
  const std::uint64_t capacity = o.queue_depth * consumers;
  std::uint64_t queued = 0;
  while (!em.done()) {
    if (rng.below(capacity) >= queued) {
      const std::size_t q = pick_queue(rng, queues, [&](const auto& d) { return d.size() < o.queue_depth; });
      const auto producer = static_cast<std::uint32_t>(rng.below(producers));
      queues[q].push_back(em.allocate(producer));
      ++queued;
    } else {
      const std::size_t q = pick_queue(rng, queues, [](const auto& d) { return !d.empty(); });
      em.free(producers + static_cast<std::uint32_t>(q), queues[q].front());
      queues[q].pop_front();
      --queued;
    }
  }
}

// Larson & Krishnan (1998): thread t fills an array of `slots` objects,
// then repeatedly frees a random slot and puts a fresh object there. In
// the benchmark a thread that finishes hands its array to the thread that
// replaces it; here every `handoff` replacements per thread, each array
// moves on to the next thread, whose frees of the objects it inherited
// cross threads.
void generate_larson(Emitter& em) {
  const GeneratorOptions& o = em.options();
  GenRandom& rng = em.rng();
  const std::uint32_t n = o.threads;
  std::vector<std::vector<std::uint64_t>> arrays(n);
  for (std::uint64_t s = 0; s < o.slots && !em.done(); ++s)
    for (std::uint32_t t = 0; t < n && !em.done(); ++t) arrays[t].push_back(em.allocate(t));

  std::uint64_t rotation = 0;  // thread t owns array (t + rotation) % n
  std::uint64_t replacements = 0;
  while (!em.done()) {
    const auto t = static_cast<std::uint32_t>(rng.below(n));
    std::vector<std::uint64_t>& array = arrays[(t + rotation) % n];
    std::uint64_t& slot = array[static_cast<std::size_t>(rng.below(array.size()))];
    if (rng.chance(o.realloc_percent)) {
      slot = em.reallocate(t, slot);
    } else {
      em.free(t, slot);
      if (em.done()) break;  // the budget ended between the pair; the trace stays valid
      slot = em.allocate(t);
    }
    if (++replacements % (o.handoff * n) == 0) ++rotation;
  }
}

}  // namespace allocsim::traces::gen
