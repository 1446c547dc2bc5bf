// Fuzzes the generator knobs: any combination must either be rejected by
// validate() with std::invalid_argument or give a valid trace of exactly
// the requested length (no overflow, division by zero or stuck loop at the
// edges of the knob ranges).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "traces/generators.hpp"

using namespace allocsim::traces;

namespace {

[[noreturn]] void fail(const char* what, std::size_t at) {
  std::fprintf(stderr, "invalid generated trace: %s at event %zu\n", what, at);
  std::abort();
}

void check(const std::vector<Event>& events, std::uint64_t expected) {
  if (events.size() != expected) fail("wrong event count", events.size());
  std::vector<bool> live;
  std::uint32_t threads = 0;
  std::uint64_t last = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.time < last || (i == 0 && e.time != 0)) fail("time", i);
    last = e.time;
    if (e.thread > threads) fail("thread numbering", i);
    threads = std::max(threads, e.thread + 1);
    if (const std::uint64_t d = e.dying(); d != kNoObject) {
      if (d >= live.size() || !live[d]) fail("free of an object not live", i);
      live[d] = false;
    }
    if (e.allocates()) {
      if (e.id != live.size()) fail("ids not dense", i);
      live.push_back(true);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  GeneratorOptions o;
  o.shape = kShapes[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kShapes) - 1)];
  o.threads = in.ConsumeIntegralInRange<std::uint32_t>(0, 5000);
  o.events = in.ConsumeIntegralInRange<std::uint64_t>(0, 20000);
  o.seed = in.ConsumeIntegral<std::uint64_t>();
  o.rate = in.ConsumeIntegral<std::uint64_t>();
  o.calloc_percent = in.ConsumeIntegralInRange<std::uint32_t>(0, 120);
  o.memalign_percent = in.ConsumeIntegralInRange<std::uint32_t>(0, 120);
  o.realloc_percent = in.ConsumeIntegralInRange<std::uint32_t>(0, 120);
  o.live = in.ConsumeIntegral<std::uint64_t>();
  o.phase_up = in.ConsumeIntegralInRange<std::uint32_t>(0, 110);
  o.phase_plateau = in.ConsumeIntegralInRange<std::uint32_t>(0, 110);
  o.phase_down = 100 - std::min<std::uint32_t>(100, o.phase_up + o.phase_plateau);
  o.ramp_bias = in.ConsumeIntegralInRange<std::uint32_t>(0, 110);
  o.cycles = in.ConsumeIntegralInRange<std::uint32_t>(0, 50);
  o.producers = in.ConsumeIntegral<std::uint32_t>();
  o.queue_depth = in.ConsumeIntegral<std::uint64_t>();
  o.burst_size = in.ConsumeIntegral<std::uint64_t>();
  o.quiet_events = in.ConsumeIntegral<std::uint64_t>();
  o.quiet_factor = in.ConsumeIntegral<std::uint32_t>();
  o.slots = in.ConsumeIntegral<std::uint64_t>();
  o.handoff = in.ConsumeIntegral<std::uint64_t>();
  PowerLawSizes law;
  law.min_size = in.ConsumeIntegral<std::uint64_t>();
  law.max_size = in.ConsumeIntegral<std::uint64_t>();
  law.decay_percent = in.ConsumeIntegralInRange<std::uint32_t>(0, 110);
  try {
    validate(o);
    const SizeDistribution sizes = SizeDistribution::power_law(law);
    check(generate_events(o, sizes), o.events);
  } catch (const std::invalid_argument&) {
    // Rejected knobs are a fine answer.
  }
  return 0;
}
