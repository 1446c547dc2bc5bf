// Fuzzes the reader of ltrace output (traces/ltrace_line.hpp): see text_reader_fuzz.hpp for what must hold.
// Seeds: tests/fuzz/corpus/ltrace/. Run: scripts/fuzz.sh ltrace
#include "tests/fuzz/text_reader_fuzz.hpp"
#include "traces/ltrace_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return allocsim::traces::fuzz::fuzz_text_reader(allocsim::traces::make_ltrace_reader, data, size);
}
