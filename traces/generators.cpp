#include "traces/generators.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

#include "traces/gen_emitter.hpp"

namespace allocsim::traces {

std::string_view shape_name(Shape s) {
  switch (s) {
    case Shape::Steady: return "steady";
    case Shape::Phased: return "phased";
    case Shape::ProdCons: return "prodcons";
    case Shape::Bursty: return "bursty";
    case Shape::Larson: return "larson";
  }
  return "?";
}

Shape parse_shape(std::string_view name) {
  std::string choices;
  for (Shape s : kShapes) {
    if (shape_name(s) == name) return s;
    choices += choices.empty() ? "" : ", ";
    choices += shape_name(s);
  }
  throw std::invalid_argument(fmt::format("unknown shape '{}' (choose one of: {})", name, choices));
}

namespace {

// Bounds products of knobs (queue depth x consumers, hand-off x threads) well inside 64 bits.
constexpr std::uint64_t kHuge = std::uint64_t{1} << 40;

void require(bool ok, std::string_view option, std::string_view why) {
  if (!ok) throw std::invalid_argument(fmt::format("--{} {}", option, why));
}

void validate_shape_knobs(const GeneratorOptions& o) {
  switch (o.shape) {
    case Shape::Steady: break;
    case Shape::Phased:
      require(o.phase_up <= 100 && o.phase_plateau <= 100 && o.phase_up + o.phase_plateau + o.phase_down == 100,
              "phase-split", "must add up to 100");
      require(o.ramp_bias >= 50 && o.ramp_bias <= 100, "ramp-bias", "must be in 50..100");
      require(o.cycles >= 1, "cycles", "must be at least 1");
      break;
    case Shape::ProdCons:
      require(o.threads >= 2, "threads", "must be at least 2 for prodcons (a producer and a consumer)");
      require(o.producers < o.threads, "producers", "must leave at least one consumer thread");
      require(o.queue_depth >= 1 && o.queue_depth <= kHuge, "queue-depth", "must be in 1..2^40");
      break;
    case Shape::Bursty:
      require(o.burst_size >= 1, "burst-size", "must be at least 1");
      require(o.quiet_events >= 1, "quiet-events", "must be at least 1");
      require(o.quiet_factor >= 1, "quiet-factor", "must be at least 1");
      break;
    case Shape::Larson:
      require(o.slots >= 1, "slots", "must be at least 1");
      require(o.handoff >= 1 && o.handoff <= kHuge, "handoff", "must be in 1..2^40");
      break;
  }
}

}  // namespace

void validate(const GeneratorOptions& o) {
  require(o.threads >= 1 && o.threads <= 4096, "threads", "must be in 1..4096");
  require(o.rate >= 1, "rate", "must be at least 1 event per second");
  require(o.calloc_percent <= 100 && o.memalign_percent <= 100 && o.calloc_percent + o.memalign_percent <= 100,
          "calloc-percent",
          "plus --memalign-percent must be at most 100");
  require(o.realloc_percent <= 100, "realloc-percent", "must be at most 100");
  // Ids and the liveness table are in memory: keep a typo from eating it.
  require(o.events <= (std::uint64_t{1} << 36), "events", "must be at most 2^36");
  require(o.live >= 1 && o.live <= kHuge, "live", "must be in 1..2^40");
  require(o.burst_size <= kHuge && o.quiet_events <= kHuge, "burst-size", "and --quiet-events must be at most 2^40");
  require(o.quiet_factor <= 1000000, "quiet-factor", "must be at most 1000000");
  // The virtual clock is 64-bit nanoseconds: the slowest gap times the
  // number of events must fit.
  const std::uint64_t slowest_gap = 2 * std::max<std::uint64_t>(1, 1000000000 / o.rate) *
                                    (o.shape == Shape::Bursty ? std::max<std::uint32_t>(1, o.quiet_factor) : 1);
  require(o.events <= (std::uint64_t{1} << 63) / slowest_gap, "events", "at this --rate would overflow the 64-bit ns clock");
  validate_shape_knobs(o);
}

void generate(const GeneratorOptions& options, const SizeDistribution& sizes, const EventSink& sink) {
  validate(options);
  gen::Emitter em(options, sizes, sink);
  switch (options.shape) {
    case Shape::Steady: gen::generate_steady(em); break;
    case Shape::Phased: gen::generate_phased(em); break;
    case Shape::ProdCons: gen::generate_prodcons(em); break;
    case Shape::Bursty: gen::generate_bursty(em); break;
    case Shape::Larson: gen::generate_larson(em); break;
  }
  if (!em.done()) throw std::logic_error("generator bug: shape stopped before the event budget");
  em.flush();
}

std::vector<Event> generate_events(const GeneratorOptions& options, const SizeDistribution& sizes) {
  std::vector<Event> events;
  events.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(options.events, 1u << 24)));
  generate(options, sizes, [&](std::span<const Event> batch) { events.insert(events.end(), batch.begin(), batch.end()); });
  return events;
}

void generate_to(const GeneratorOptions& options, const SizeDistribution& sizes, EventWriter& writer) {
  generate(options, sizes, [&](std::span<const Event> batch) { writer.write(batch); });
  writer.finish();
}

}  // namespace allocsim::traces
