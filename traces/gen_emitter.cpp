#include "traces/gen_emitter.hpp"

#include <fmt/core.h>

#include <limits>
#include <stdexcept>

namespace allocsim::traces::gen {
namespace {

constexpr std::size_t kBatch = 4096;
constexpr std::uint32_t kAlignments[] = {32, 64, 128, 256, 4096};
constexpr std::uint32_t kUnnumbered = std::numeric_limits<std::uint32_t>::max();

}  // namespace

Emitter::Emitter(const GeneratorOptions& options, const SizeDistribution& sizes, const EventSink& sink)
    : options_(options),
      sizes_(sizes),
      sink_(sink),
      rng_(options.seed),
      thread_number_(options.threads, kUnnumbered),
      gap_ns_(std::max<std::uint64_t>(1, 1000000000 / options.rate)) {
  buffer_.reserve(kBatch);
}

std::uint64_t Emitter::born() {
  live_.push_back(true);
  return live_.size() - 1;
}

void Emitter::retire(std::uint64_t id) {
  if (id >= live_.size() || !live_[id])
    throw std::logic_error(fmt::format("generator bug: object {} is not live", id));
  live_[id] = false;
}

void Emitter::emit(Event e, std::uint32_t thread) {
  if (done()) throw std::logic_error("generator bug: event past the budget");
  if (thread >= thread_number_.size()) throw std::logic_error("generator bug: thread out of range");
  if (thread_number_[thread] == kUnnumbered) thread_number_[thread] = threads_seen_++;
  e.thread = thread_number_[thread];
  if (emitted_ > 0) {
    const std::uint64_t mean = gap_ns_ * pace_;
    clock_ += rng_.between(mean / 2, mean + mean / 2);
  }
  e.time = clock_;
  buffer_.push_back(e);
  ++emitted_;
  if (buffer_.size() == kBatch) flush();
}

std::uint64_t Emitter::allocate(std::uint32_t thread) {
  Event e;
  const std::uint64_t kind = rng_.below(100);
  e.size = sizes_.draw(rng_);
  if (kind < options_.calloc_percent) {
    e.op = Op::Calloc;
  } else if (kind < options_.calloc_percent + options_.memalign_percent) {
    e.op = Op::Memalign;
    e.align = kAlignments[rng_.below(std::size(kAlignments))];
  } else {
    e.op = Op::Malloc;
  }
  e.id = born();
  emit(e, thread);
  return e.id;
}

void Emitter::free(std::uint32_t thread, std::uint64_t id) {
  retire(id);
  Event e;
  e.op = Op::Free;
  e.id = id;
  emit(e, thread);
}

std::uint64_t Emitter::reallocate(std::uint32_t thread, std::uint64_t old_id) {
  retire(old_id);
  Event e;
  e.op = Op::Realloc;
  e.old_id = old_id;
  e.size = sizes_.draw(rng_);
  e.id = born();
  emit(e, thread);
  return e.id;
}

void Emitter::flush() {
  if (buffer_.empty()) return;
  sink_(buffer_);
  buffer_.clear();
}

void churn_step(Emitter& em, Pool& pool, std::uint32_t thread, std::uint64_t target) {
  GenRandom& rng = em.rng();
  if (rng.below(2 * target) < pool.size()) {
    em.free(thread, pool.take_random(rng));
  } else if (!pool.empty() && rng.chance(em.options().realloc_percent)) {
    pool.replace_random(rng, [&](std::uint64_t old) { return em.reallocate(thread, old); });
  } else {
    pool.add(em.allocate(thread));
  }
}

}  // namespace allocsim::traces::gen
