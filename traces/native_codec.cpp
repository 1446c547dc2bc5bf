#include "traces/native_codec.hpp"

#include <zlib.h>

namespace allocsim::traces::native {

namespace {
std::uint32_t header_crc(const unsigned char* p) {
  return static_cast<std::uint32_t>(crc32(0L, p, static_cast<uInt>(kHeaderCrcOffset)));
}
}  // namespace

void encode_header(const Header& h, unsigned char* out) {
  std::memset(out, 0, kHeaderBytes);
  std::memcpy(out, kMagic, sizeof kMagic);
  put<std::uint32_t>(out + 8, h.version);
  put<std::uint32_t>(out + 12, static_cast<std::uint32_t>(kHeaderBytes));
  put<std::uint32_t>(out + 16, h.flags);
  put<std::uint32_t>(out + 20, h.threads);
  put<std::uint64_t>(out + 24, h.events);
  put<std::uint64_t>(out + 32, h.objects);
  put<std::uint32_t>(out + 40, h.time_unit_ns);
  put<std::uint32_t>(out + 44, h.source_format);
  put<std::uint64_t>(out + 48, h.page_size);
  put<std::uint64_t>(out + 56, h.peak_rss_bytes);
  put<std::uint64_t>(out + 64, h.runtime_ms);
  put<std::uint32_t>(out + kHeaderCrcOffset, header_crc(out));
}

const char* decode_header(const unsigned char* in, Header& h) {
  if (std::memcmp(in, kMagic, sizeof kMagic) != 0) return "not an allocsim native trace (bad magic)";
  h.version = get<std::uint32_t>(in + 8);
  if (h.version != kVersion) return "unsupported native format version";
  if (get<std::uint32_t>(in + 12) != kHeaderBytes) return "unexpected header size";
  if (get<std::uint32_t>(in + kHeaderCrcOffset) != header_crc(in)) return "header checksum mismatch";
  h.flags = get<std::uint32_t>(in + 16);
  h.threads = get<std::uint32_t>(in + 20);
  h.events = get<std::uint64_t>(in + 24);
  h.objects = get<std::uint64_t>(in + 32);
  h.time_unit_ns = get<std::uint32_t>(in + 40);
  h.source_format = get<std::uint32_t>(in + 44);
  h.page_size = get<std::uint64_t>(in + 48);
  h.peak_rss_bytes = get<std::uint64_t>(in + 56);
  h.runtime_ms = get<std::uint64_t>(in + 64);
  if (h.flags & ~kFlagHasTime) return "unknown header flags";
  if (h.time_unit_ns == 0) return "time unit of 0 ns";
  if (h.objects > h.events) return "more objects than events";
  return nullptr;
}

}  // namespace allocsim::traces::native
