// libFuzzer target: arbitrary bytes through the native reader and
// trace_stats. Anything but a clean read or a TraceError is a bug.
// Seeds: tests/fuzz/corpus/native/.
//
// Mutated files almost never keep valid CRCs, which would stop every input
// at the first checksum; so inputs whose size is even are read a second
// time with their header and block checksums recomputed, letting the
// fuzzer reach the event decoder.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "traces/input_stream.hpp"
#include "traces/native_format.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_stats.hpp"

using namespace allocsim::traces;

namespace {

// Layout constants from docs/trace-format.md (kept literal here so the
// target does not share the code under test).
constexpr std::size_t kHeader = 80, kHeaderCrcAt = 72, kBlockHeader = 16;

void put_crc(std::string& bytes, std::size_t at, const char* from, std::size_t n) {
  const auto crc = static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(from), static_cast<uInt>(n)));
  std::memcpy(bytes.data() + at, &crc, sizeof crc);
}

std::string with_valid_checksums(std::string bytes) {
  if (bytes.size() < kHeader) return bytes;
  put_crc(bytes, kHeaderCrcAt, bytes.data(), kHeaderCrcAt);
  for (std::size_t at = kHeader; at + kBlockHeader <= bytes.size();) {
    std::uint32_t payload = 0;
    std::memcpy(&payload, bytes.data() + at + 8, sizeof payload);
    if (payload > bytes.size() - at - kBlockHeader) break;
    put_crc(bytes, at + 12, bytes.data() + at + kBlockHeader, payload);
    at += kBlockHeader + payload;
  }
  return bytes;
}

void read(std::string_view bytes) {
  try {
    auto reader = make_native_reader(make_memory_source(bytes, "fuzz"));
    trace_stats(*reader);
  } catch (const TraceError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  read(bytes);
  if (size % 2 == 0) read(with_valid_checksums(std::string(bytes)));
  return 0;
}
