#pragma once
// Synthetic workloads with named shapes, seeded and reproducible: the same
// options and seed give the same events (and so the same trace bytes) on
// every platform. Shapes and knobs are documented in docs/generators.md.
//
// Every generated trace is valid: frees and reallocs name only live
// objects, ids are dense in birth order, threads are numbered in order of
// first appearance, timestamps start at 0 and never go back, and the trace
// holds exactly `events` events.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "traces/event.hpp"
#include "traces/event_writer.hpp"
#include "traces/size_distribution.hpp"

namespace allocsim::traces {

enum class Shape {
  Steady,    // per-thread churn around a live-set size
  Phased,    // ramp-up, plateau, ramp-down (repeated `cycles` times)
  ProdCons,  // producers allocate, consumers free: every free crosses threads
  Bursty,    // quiet background churn, then bursts of allocations freed soon after
  Larson,    // Larson-Krishnan: replace random slots of per-thread arrays handed between threads
};
inline constexpr Shape kShapes[] = {Shape::Steady, Shape::Phased, Shape::ProdCons, Shape::Bursty, Shape::Larson};

std::string_view shape_name(Shape s);
// Throws std::invalid_argument naming the valid shapes.
Shape parse_shape(std::string_view name);

struct GeneratorOptions {
  Shape shape = Shape::Steady;
  std::uint32_t threads = 4;
  std::uint64_t events = 100000;
  std::uint64_t seed = 1;
  // Virtual clock: events per virtual second. Each gap between two events
  // is drawn uniformly in [g/2, 3g/2] ns, g = 1e9 / rate (at least 1 ns).
  std::uint64_t rate = 2000000;

  // How a fresh allocation is made, in percent (the rest are malloc).
  // Memalign draws its alignment from {32, 64, 128, 256, 4096}.
  std::uint32_t calloc_percent = 0;
  std::uint32_t memalign_percent = 0;
  // steady, larson: share of replacements done as one realloc instead.
  std::uint32_t realloc_percent = 0;

  // steady, bursty (background): live objects summed over all threads.
  std::uint64_t live = 10000;
  // phased: percent of each cycle's events in ramp-up, plateau, ramp-down
  // (must sum to 100), percent of ramp events that go the ramp's way.
  std::uint32_t phase_up = 30, phase_plateau = 40, phase_down = 30;
  std::uint32_t ramp_bias = 90;
  std::uint32_t cycles = 1;
  // prodcons: producer threads (0 = half of the threads), objects each
  // consumer's queue holds at most.
  std::uint32_t producers = 0;
  std::uint64_t queue_depth = 256;
  // bursty: mean allocations per burst, mean events per quiet period, and
  // how many times slower the clock runs between bursts.
  std::uint64_t burst_size = 1000;
  std::uint64_t quiet_events = 2000;
  std::uint32_t quiet_factor = 50;
  // larson: slots per thread array, replacements per thread between two
  // hand-offs of every array to the next thread.
  std::uint64_t slots = 1000;
  std::uint64_t handoff = 2000;
};

// Throws std::invalid_argument naming the option at fault (as --name).
void validate(const GeneratorOptions& options);

// Events go to `sink` in order, in batches.
using EventSink = std::function<void(std::span<const Event>)>;

// Validates the options and generates the trace into the sink.
void generate(const GeneratorOptions& options, const SizeDistribution& sizes, const EventSink& sink);
std::vector<Event> generate_events(const GeneratorOptions& options, const SizeDistribution& sizes);
// Writes the trace through `writer` and finishes it.
void generate_to(const GeneratorOptions& options, const SizeDistribution& sizes, EventWriter& writer);

}  // namespace allocsim::traces
