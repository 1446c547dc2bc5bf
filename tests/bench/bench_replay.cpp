// Virtual replay speed from the native format, full metrics: events/s
// through the core under each policy preset, and through the system
// allocator (the engine's own overhead plus glibc). The target is
// >= 20 M events/s through the core; most of the time is the core's own
// work (the collector runs on the replay's thread in virtual mode).
// Run: build/bin/bench_replay (scripts/bench_replay.sh also compares the
// end-to-end replay of a heaptrack file with heaptrack_print).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <string>

#include "sim/common/paths.hpp"
#include "sim/replay/replay.hpp"
#include "traces/event_writer.hpp"
#include "traces/generators.hpp"

namespace {

using namespace allocsim;

// A 2 M event steady-churn native trace (4 threads) in /tmp, written once.
struct NativeFile {
  std::string path = "/tmp/allocsim_bench_replay_" + std::to_string(::getpid()) + ".native";
  NativeFile() {
    traces::GeneratorOptions g;
    g.shape = traces::Shape::Steady;
    g.threads = 4;
    g.events = 2'000'000;
    g.live = 20000;
    auto writer = traces::create_writer(path, traces::Format::Native);
    traces::generate_to(g, traces::SizeDistribution::power_law(), *writer);
  }
  ~NativeFile() { ::unlink(path.c_str()); }
};

const std::string& native_file() {
  static const NativeFile file;
  return file.path;
}

void replay_bench(benchmark::State& state, const std::string& policy, sim::BackendKind backend) {
  sim::ReplayRequest r;
  r.trace = native_file();  // written before the clock starts
  r.backend = backend;
  r.config = sim::load_run_config(policy, "", {}, sim::policies_dir());
  std::uint64_t events = 0;
  for (auto _ : state) {
    const sim::Metrics m = sim::replay(r);
    events += m.summary.events;
    benchmark::DoNotOptimize(m.summary.peak_footprint_bytes);
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_ReplayCoreAdaptive(benchmark::State& s) { replay_bench(s, "adaptive", sim::BackendKind::Core); }
void BM_ReplayCoreFixedQueue(benchmark::State& s) { replay_bench(s, "fixed-queue", sim::BackendKind::Core); }
void BM_ReplayCoreFreeToCache(benchmark::State& s) { replay_bench(s, "free-to-cache", sim::BackendKind::Core); }
void BM_ReplaySystem(benchmark::State& s) { replay_bench(s, "adaptive", sim::BackendKind::System); }

BENCHMARK(BM_ReplayCoreAdaptive)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ReplayCoreFixedQueue)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ReplayCoreFreeToCache)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ReplaySystem)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
