// Fuzzes the reader of glibc mtrace logs: see text_reader_fuzz.hpp for what must hold.
// Seeds: tests/fuzz/corpus/mtrace/. Run: scripts/fuzz.sh mtrace
#include "tests/fuzz/text_reader_fuzz.hpp"
#include "traces/mtrace_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return allocsim::traces::fuzz::fuzz_text_reader(allocsim::traces::make_mtrace_reader, data, size);
}
