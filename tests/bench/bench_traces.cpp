// Trace reading speed: the native reader (target >= 100 M events/s from
// page cache) and the heaptrack interpreted reader on a real recording.
// Run: build/bin/bench_traces (scripts/bench_traces.sh also compares
// `allocsim stats` with heaptrack_print).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include "traces/event_reader.hpp"
#include "traces/native_format.hpp"
#include "traces/trace_stats.hpp"

namespace {

using namespace allocsim::traces;

// A churn-like stream: 4 threads, sizes spread over powers of two, most
// objects short-lived, a few long-lived, some realloc and memalign.
std::vector<Event> synthetic_events(std::size_t count) {
  std::mt19937_64 rng(42);
  std::vector<Event> events;
  events.reserve(count);
  std::vector<std::uint64_t> live;
  std::uint64_t next = 0;
  while (events.size() < count) {
    const auto r = rng();
    const auto thread = static_cast<std::uint32_t>(r % 4);
    Event e;
    e.thread = thread;
    e.time = events.size() * 37;
    if (live.size() > 64 && (r >> 8) % 100 < 48) {
      const std::size_t pick = live.size() - 1 - ((r >> 16) % std::min<std::size_t>(live.size(), 32));
      e.op = Op::Free;
      e.id = live[pick];
      live[pick] = live.back();
      live.pop_back();
    } else {
      e.op = (r >> 24) % 10 == 0 ? Op::Calloc : (r >> 24) % 17 == 0 ? Op::Memalign : Op::Malloc;
      if (e.op == Op::Memalign) e.align = 64;
      e.size = std::uint64_t{16} << ((r >> 32) % 10);
      e.id = next++;
      live.push_back(e.id);
    }
    events.push_back(e);
  }
  return events;
}

// A 20 M event native file in /tmp, written once, removed at exit.
struct NativeFile {
  std::string path = "/tmp/allocsim_bench_" + std::to_string(::getpid()) + ".native";
  NativeFile() {
    const auto events = synthetic_events(20'000'000);
    auto writer = make_native_writer(path);
    writer->write(events);
    writer->finish();
  }
  ~NativeFile() { ::unlink(path.c_str()); }
};

const std::string& native_file() {
  static const NativeFile file;
  return file.path;
}

void BM_NativeRead(benchmark::State& state) {
  const std::string& path = native_file();  // written before the clock starts
  std::vector<Event> batch(4096);
  std::uint64_t events = 0;
  for (auto _ : state) {
    auto reader = make_native_reader(path);
    while (const std::size_t n = reader->read(batch)) events += n;
    benchmark::DoNotOptimize(batch.data());
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NativeRead)->Unit(benchmark::kMillisecond);

void BM_NativeWrite(benchmark::State& state) {
  const auto events = synthetic_events(2'000'000);
  const std::string path = native_file() + ".w";
  for (auto _ : state) {
    auto writer = make_native_writer(path);
    writer->write(events);
    writer->finish();
  }
  ::unlink(path.c_str());
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events.size() * state.iterations()),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NativeWrite)->Unit(benchmark::kMillisecond);

void BM_HeaptrackStats(benchmark::State& state) {
  const std::string path = std::string(ALLOCSIM_SOURCE_DIR) + "/traces/samples/ht_python_json.zst";
  std::uint64_t events = 0;
  for (auto _ : state) {
    auto reader = open_trace(path);
    events += trace_stats(*reader).events;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_HeaptrackStats)->Unit(benchmark::kMillisecond);

}  // namespace
