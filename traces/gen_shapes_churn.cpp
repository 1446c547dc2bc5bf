// The shapes where every thread frees only its own objects: steady,
// phased and bursty. See docs/generators.md for what each models.
#include <algorithm>
#include <utility>
#include <vector>

#include "traces/gen_emitter.hpp"

namespace allocsim::traces::gen {
namespace {

// Per-thread live sets with a per-thread target: a warm-up that only
// allocates until a thread first reaches its target, then churn_step.
class ChurnSet {
 public:
  ChurnSet(std::uint32_t threads, std::uint64_t live) : pools_(threads), warm_(threads, false) {
    for (std::uint32_t t = 0; t < threads; ++t)
      target_.push_back(std::max<std::uint64_t>(1, live / threads + (t < live % threads ? 1 : 0)));
  }
  void step(Emitter& em, std::uint32_t t) {
    if (!warm_[t] && pools_[t].size() < target_[t]) {
      pools_[t].add(em.allocate(t));
      return;
    }
    warm_[t] = true;
    churn_step(em, pools_[t], t, target_[t]);
  }

 private:
  std::vector<Pool> pools_;
  std::vector<std::uint64_t> target_;
  std::vector<bool> warm_;
};

std::uint32_t any_thread(Emitter& em) { return static_cast<std::uint32_t>(em.rng().below(em.options().threads)); }

// `n` events that allocate with probability alloc_percent (else free a
// random own object; an empty pool always allocates).
void ramp(Emitter& em, std::vector<Pool>& pools, std::uint64_t n, std::uint32_t alloc_percent) {
  for (std::uint64_t i = 0; i < n && !em.done(); ++i) {
    const std::uint32_t t = any_thread(em);
    Pool& pool = pools[t];
    if (em.rng().chance(alloc_percent) || pool.empty())
      pool.add(em.allocate(t));
    else
      em.free(t, pool.take_random(em.rng()));
  }
}

// `n` events of churn around the live-set size each thread has now.
void plateau(Emitter& em, std::vector<Pool>& pools, std::uint64_t n) {
  std::vector<std::uint64_t> target;
  for (const Pool& p : pools) target.push_back(std::max<std::size_t>(1, p.size()));
  for (std::uint64_t i = 0; i < n && !em.done(); ++i) {
    const std::uint32_t t = any_thread(em);
    churn_step(em, pools[t], t, target[t]);
  }
}

}  // namespace

void generate_steady(Emitter& em) {
  ChurnSet set(em.options().threads, em.options().live);
  while (!em.done()) set.step(em, any_thread(em));
}

void generate_phased(Emitter& em) {
  const GeneratorOptions& o = em.options();
  std::vector<Pool> pools(o.threads);
  const std::uint64_t per_cycle = o.events / o.cycles;
  for (std::uint32_t c = 0; c < o.cycles; ++c) {
    // The last cycle takes the remainder so the budget is met exactly.
    const std::uint64_t budget = c + 1 == o.cycles ? em.remaining() : per_cycle;
    const std::uint64_t up = budget * o.phase_up / 100;
    const std::uint64_t flat = budget * o.phase_plateau / 100;
    ramp(em, pools, up, o.ramp_bias);
    plateau(em, pools, flat);
    ramp(em, pools, budget - up - flat, 100 - o.ramp_bias);
  }
}

void generate_bursty(Emitter& em) {
  const GeneratorOptions& o = em.options();
  GenRandom& rng = em.rng();
  ChurnSet background(o.threads, o.live);
  std::vector<std::pair<std::uint32_t, std::uint64_t>> burst;  // (thread, id) of the burst's live objects
  while (!em.done()) {
    em.set_pace(o.quiet_factor);
    const std::uint64_t quiet = rng.between(std::max<std::uint64_t>(1, o.quiet_events / 2), o.quiet_events + o.quiet_events / 2);
    for (std::uint64_t i = 0; i < quiet && !em.done(); ++i) background.step(em, any_thread(em));

    em.set_pace(1);
    const std::uint64_t size = rng.between(std::max<std::uint64_t>(1, o.burst_size / 2), o.burst_size + o.burst_size / 2);
    for (std::uint64_t i = 0; i < size && !em.done(); ++i) {
      const std::uint32_t t = any_thread(em);
      burst.emplace_back(t, em.allocate(t));
    }
    // Freed soon after, in random order, each by the thread that allocated it.
    while (!burst.empty() && !em.done()) {
      const std::size_t k = static_cast<std::size_t>(rng.below(burst.size()));
      const auto [t, id] = burst[k];
      burst[k] = burst.back();
      burst.pop_back();
      em.free(t, id);
    }
  }
}

}  // namespace allocsim::traces::gen
