#pragma once
// Shared body of the text-reader fuzz targets (fuzz_ltrace, fuzz_mtrace,
// fuzz_csv): any input must either be read into a valid event stream or be
// rejected with a TraceError; anything else (a crash, another exception, an
// invalid stream) aborts so libFuzzer keeps the input.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "traces/event_reader.hpp"
#include "traces/input_stream.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces::fuzz {

using MakeReader = std::unique_ptr<EventReader> (*)(std::unique_ptr<LineReader>, const ReadOptions&);

[[noreturn]] inline void invalid(const char* what, std::size_t at) {
  std::fprintf(stderr, "invalid event stream: %s at event %zu\n", what, at);
  std::abort();
}

// Ids born densely in order, deaths of live objects only, times never going
// back, threads numbered in order of first appearance.
inline void check_stream(const std::vector<Event>& events, const TraceInfo& info) {
  std::vector<bool> live;
  std::uint32_t threads = 0;
  std::uint64_t last_time = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.time != kNoTime) {
      if (e.time < last_time) invalid("time goes back", i);
      last_time = e.time;
    }
    if (e.thread > threads) invalid("thread numbering", i);
    if (e.thread == threads) ++threads;
    if (const std::uint64_t d = e.dying(); d != kNoObject) {
      if (d >= live.size() || !live[d]) invalid("death of an object not live", i);
      live[d] = false;
    }
    if (e.allocates()) {
      if (e.id != live.size()) invalid("ids not born in order", i);
      live.push_back(true);
    }
  }
  if (threads > info.threads) invalid("more threads than TraceInfo says", events.size());
}

inline int fuzz_text_reader(MakeReader make, const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool strict : {false, true}) {
    try {
      auto reader = make(std::make_unique<LineReader>(make_memory_source(text, "fuzz")), ReadOptions{.strict = strict});
      std::vector<Event> events;
      std::vector<Event> batch(64);
      while (const std::size_t n = reader->read(batch)) events.insert(events.end(), batch.begin(), batch.begin() + n);
      check_stream(events, reader->info());
    } catch (const TraceError&) {
      // rejected with file and position: fine
    }
  }
  return 0;
}

}  // namespace allocsim::traces::fuzz
