#pragma once
// Internal to the generators: what every shape shares. A shape decides
// which thread allocates or frees which object; the Emitter turns that into
// valid events (ids, sizes, op mix, clock, thread numbering) and enforces
// the event budget and the liveness invariant.
#include <cstdint>
#include <vector>

#include "traces/gen_random.hpp"
#include "traces/generators.hpp"

namespace allocsim::traces::gen {

class Emitter {
 public:
  Emitter(const GeneratorOptions& options, const SizeDistribution& sizes, const EventSink& sink);

  GenRandom& rng() { return rng_; }
  const GeneratorOptions& options() const { return options_; }
  std::uint64_t remaining() const { return options_.events - emitted_; }
  bool done() const { return remaining() == 0; }

  // Each emits one event on shape thread `thread` (0-based, < threads) and
  // throws std::logic_error past the budget or for an object not live.
  std::uint64_t allocate(std::uint32_t thread);  // returns the new id
  void free(std::uint32_t thread, std::uint64_t id);
  std::uint64_t reallocate(std::uint32_t thread, std::uint64_t old_id);  // returns the new id

  // Mean gap between events is (1e9 / rate) x pace; pace 1 = nominal.
  void set_pace(std::uint64_t pace) { pace_ = pace; }
  void flush();

 private:
  void emit(Event e, std::uint32_t thread);
  void retire(std::uint64_t id);
  std::uint64_t born();

  const GeneratorOptions& options_;
  const SizeDistribution& sizes_;
  const EventSink& sink_;
  GenRandom rng_;
  std::vector<Event> buffer_;
  std::vector<bool> live_;  // by id
  std::vector<std::uint32_t> thread_number_;  // shape thread -> trace thread, in order of first appearance
  std::uint32_t threads_seen_ = 0;
  std::uint64_t emitted_ = 0;
  std::uint64_t clock_ = 0;
  std::uint64_t gap_ns_ = 1;
  std::uint64_t pace_ = 1;
};

// Live objects of one owner with O(1) insertion and uniform random removal.
// Order inside is deterministic (swap-remove), so removals are reproducible.
class Pool {
 public:
  void add(std::uint64_t id) { ids_.push_back(id); }
  std::uint64_t take_random(GenRandom& rng) {
    const std::size_t i = static_cast<std::size_t>(rng.below(ids_.size()));
    const std::uint64_t id = ids_[i];
    ids_[i] = ids_.back();
    ids_.pop_back();
    return id;
  }
  // Replaces a random member by what `replace(old)` returns.
  template <class F>
  void replace_random(GenRandom& rng, F&& replace) {
    std::uint64_t& slot = ids_[static_cast<std::size_t>(rng.below(ids_.size()))];
    slot = replace(slot);
  }
  std::size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }

 private:
  std::vector<std::uint64_t> ids_;
};

// One step of mean-reverting churn on `pool` owned by `thread`: frees a
// random member with probability size / (2 target), else allocates (or, by
// realloc_percent, reallocates a member). Drifts to `target` and wanders
// around it.
void churn_step(Emitter& em, Pool& pool, std::uint32_t thread, std::uint64_t target);

// The shapes, one function each (gen_shapes_*.cpp).
void generate_steady(Emitter& em);
void generate_phased(Emitter& em);
void generate_bursty(Emitter& em);
void generate_prodcons(Emitter& em);
void generate_larson(Emitter& em);

}  // namespace allocsim::traces::gen
