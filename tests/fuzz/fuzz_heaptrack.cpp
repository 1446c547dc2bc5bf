// libFuzzer target: arbitrary bytes (plain, zstd or gzip) through both
// heaptrack readers and trace_stats. Anything but a clean read or a
// TraceError is a bug. Seeds: tests/fuzz/corpus/heaptrack/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "traces/heaptrack_readers.hpp"
#include "traces/input_stream.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_stats.hpp"

using namespace allocsim::traces;

namespace {

void read_with(std::string_view bytes, bool raw, const ReadOptions& options) {
  try {
    auto lines = std::make_unique<LineReader>(make_memory_source(bytes, "fuzz"));
    auto reader = raw ? make_heaptrack_raw_reader(std::move(lines), options)
                      : make_heaptrack_interpreted_reader(std::move(lines), options);
    trace_stats(*reader);
  } catch (const TraceError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ReadOptions options;
  options.strict = size % 2 == 1;
  options.interpreted_free = size % 3 == 0 ? ReadOptions::FreeChoice::Fifo : ReadOptions::FreeChoice::Lifo;
  read_with(bytes, true, options);
  read_with(bytes, false, options);
  return 0;
}
