// How fast the synthetic generators produce events, per shape, and the
// cost of one size draw. Generation should stay far cheaper than replay.
#include <benchmark/benchmark.h>

#include "traces/generators.hpp"

namespace allocsim::traces {
namespace {

void BM_Generate(benchmark::State& state) {
  GeneratorOptions o;
  o.shape = kShapes[state.range(0)];
  o.events = 200000;
  const auto sizes = SizeDistribution::power_law();
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    generate(o, sizes, [&](std::span<const Event> batch) { bytes += batch.size_bytes(); });
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * o.events));
  state.SetLabel(std::string(shape_name(o.shape)));
}
BENCHMARK(BM_Generate)->DenseRange(0, std::size(kShapes) - 1)->Unit(benchmark::kMillisecond);

void BM_PowerLawDraw(benchmark::State& state) {
  const auto sizes = SizeDistribution::power_law();
  GenRandom rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(sizes.draw(rng));
}
BENCHMARK(BM_PowerLawDraw);

}  // namespace
}  // namespace allocsim::traces
