// Fuzzes the reader of allocsim CSV traces: see text_reader_fuzz.hpp for what must hold.
// Seeds: tests/fuzz/corpus/csv/. Run: scripts/fuzz.sh csv
#include "tests/fuzz/text_reader_fuzz.hpp"
#include "traces/csv_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return allocsim::traces::fuzz::fuzz_text_reader(allocsim::traces::make_csv_reader, data, size);
}
