// ltrace text parsing speed from memory (target >= 100 MB/s of plain text),
// on the real recordings of traces/samples/: a multi-threaded -x recording
// full of split calls, and a PLT-mode recording.
// Run: build/bin/bench_ltrace (bytes_per_second is the figure).
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "traces/input_stream.hpp"
#include "traces/ltrace_reader.hpp"

namespace {

using namespace allocsim::traces;

// The decompressed text of a sample, repeated to about 16 MB so one pass
// outlasts caches and timer noise. (Repeats make addresses reappear while
// live; the reader ends those lifetimes, a little extra work.)
const std::string& sample_text(const std::string& name) {
  static std::map<std::string, std::string> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  auto source = open_input(std::string(ALLOCSIM_SOURCE_DIR) + "/traces/samples/" + name);
  std::string one;
  std::vector<char> buffer(1 << 20);
  while (const std::size_t n = source->read(buffer.data(), buffer.size())) one.append(buffer.data(), n);
  std::string text;
  constexpr std::size_t kTarget = std::size_t{16} << 20;
  while (text.size() < kTarget) text += one;
  return cache.emplace(name, std::move(text)).first->second;
}

void parse(benchmark::State& state, const std::string& name) {
  const std::string& text = sample_text(name);
  std::vector<Event> batch(4096);
  std::uint64_t events = 0;
  for (auto _ : state) {
    auto reader = make_ltrace_reader(std::make_unique<LineReader>(make_memory_source(text, name)), {});
    while (const std::size_t n = reader->read(batch)) events += n;
    benchmark::DoNotOptimize(events);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_LtraceSymbolModeThreads(benchmark::State& state) { parse(state, "lt_mt_prodcons_x.txt.gz"); }
void BM_LtracePltMode(benchmark::State& state) { parse(state, "lt_sqlite3_plt.txt.gz"); }

BENCHMARK(BM_LtraceSymbolModeThreads)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LtracePltMode)->Unit(benchmark::kMillisecond);

}  // namespace
