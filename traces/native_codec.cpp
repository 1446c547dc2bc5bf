#include "traces/native_codec.hpp"

#include <zlib.h>

namespace allocsim::traces::native {

namespace {
// The CRC sits 8 bytes before the header's end, over everything before it.
std::size_t crc_offset(std::size_t header_bytes) { return header_bytes - 8; }
std::uint32_t header_crc(const unsigned char* p, std::size_t header_bytes) {
  return static_cast<std::uint32_t>(crc32(0L, p, static_cast<uInt>(crc_offset(header_bytes))));
}
}  // namespace

std::size_t header_length(const unsigned char* prefix) {
  if (std::memcmp(prefix, kMagic, sizeof kMagic) != 0) return 0;
  const auto version = get<std::uint32_t>(prefix + 8), bytes = get<std::uint32_t>(prefix + 12);
  if (version == 1 && bytes == kHeaderBytesV1) return kHeaderBytesV1;
  if (version == 2 && bytes == kHeaderBytes) return kHeaderBytes;
  return 0;
}

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
  put<std::uint64_t>(out + 72, h.traced_wall_ns);
  put<std::uint64_t>(out + 80, h.untraced_wall_ns);
  put<std::uint32_t>(out + crc_offset(kHeaderBytes), header_crc(out, kHeaderBytes));
}

const char* decode_header(const unsigned char* in, Header& h) {
  if (std::memcmp(in, kMagic, sizeof kMagic) != 0) return "not an allocsim native trace (bad magic)";
  h.version = get<std::uint32_t>(in + 8);
  if (h.version != 1 && h.version != kVersion) return "unsupported native format version";
  const std::size_t bytes = header_length(in);
  if (bytes == 0) return "unexpected header size";
  if (get<std::uint32_t>(in + crc_offset(bytes)) != header_crc(in, bytes)) return "header checksum mismatch";
  h.flags = get<std::uint32_t>(in + 16);
  h.threads = get<std::uint32_t>(in + 20);
  h.events = get<std::uint64_t>(in + 24);
  h.objects = get<std::uint64_t>(in + 32);
  h.time_unit_ns = get<std::uint32_t>(in + 40);
  h.source_format = get<std::uint32_t>(in + 44);
  h.page_size = get<std::uint64_t>(in + 48);
  h.peak_rss_bytes = get<std::uint64_t>(in + 56);
  h.runtime_ms = get<std::uint64_t>(in + 64);
  if (h.version >= 2) {
    h.traced_wall_ns = get<std::uint64_t>(in + 72);
    h.untraced_wall_ns = get<std::uint64_t>(in + 80);
  }
  if (h.flags & ~(h.version >= 2 ? kFlagHasTime | kFlagHasRss : kFlagHasTime)) return "unknown header flags";
  if (h.time_unit_ns == 0) return "time unit of 0 ns";
  if (h.objects > h.events) return "more objects than events";
  return nullptr;
}

}  // namespace allocsim::traces::native
