#pragma once
// Byte-level layout of the native format, shared by its reader and writer.
// The full description with the reasons behind it: docs/trace-format.md.
//
//   file   = header (96 bytes; 80 in version 1) block* [rss]
//   header = magic[8] version:u32 header_bytes:u32 flags:u32 threads:u32
//            events:u64 objects:u64 time_unit_ns:u32 source_format:u32
//            page_size:u64 peak_rss_bytes:u64 runtime_ms:u64
//            traced_wall_ns:u64 untraced_wall_ns:u64          (version 2)
//            header_crc:u32 (crc32 of the bytes before it) reserved:u32
//   block  = "EVBK" events:u32 payload_bytes:u32 payload_crc:u32 payload
//   event  = tag:u8 [thread] [time delta] [align] body        (LEB128 varints)
//   tag    = op (bits 0-2) | thread changed (3) | align present (4)
//            | realloc has an old object (5) | time present (6)
//   body   = Free: back(id)    allocations: size [Realloc: back(old_id)]
//   rss    = "RSSS" samples:u32 payload_bytes:u32 payload_crc:u32 payload  (version 2, flag bit 1)
//   sample = events delta, zig-zag time_ms delta, bytes                   (the recorded program's RSS)
// where back(x) = births so far - 1 - x: object ids are implicit (the n-th
// birth is object n), and a death names an object by how long ago it was
// born, which is small for the short-lived majority. Time deltas are
// zig-zag encoded differences from the previous event that had a time.
// All integers little-endian.
#include <cstdint>
#include <cstring>

namespace allocsim::traces::native {

inline constexpr char kMagic[8] = {'\x8a', 'A', 'S', 'I', 'M', '\r', '\n', '\x1a'};
// Version 2 added the two wall times to the header and the RSS samples
// after the last block; a version 1 file (80-byte header, no samples) is
// still read.
inline constexpr std::uint32_t kVersion = 2;
inline constexpr std::size_t kHeaderBytes = 96;     // version 2
inline constexpr std::size_t kHeaderBytesV1 = 80;   // still read
inline constexpr std::size_t kHeaderPrefixBytes = 16;  // magic, version, header_bytes: says how long the rest is
inline constexpr char kBlockMagic[4] = {'E', 'V', 'B', 'K'};
inline constexpr std::size_t kBlockHeaderBytes = 16;
inline constexpr std::uint32_t kMaxBlockEvents = 1u << 16;
// An event takes at most 1 + 5 + 10 + 5 + 10 + 10 bytes.
inline constexpr std::size_t kMaxEventBytes = 41;
inline constexpr std::uint32_t kMaxBlockPayload = kMaxBlockEvents * kMaxEventBytes;

inline constexpr std::uint32_t kFlagHasTime = 1;
inline constexpr std::uint32_t kFlagHasRss = 2;  // version 2: RSS samples follow the last block

inline constexpr char kRssMagic[4] = {'R', 'S', 'S', 'S'};
// A sample takes at most three varints; more samples than this are refused.
inline constexpr std::size_t kMaxRssSampleBytes = 30;
inline constexpr std::uint32_t kMaxRssSamples = 1u << 24;

inline constexpr std::uint8_t kOpMask = 0x07;
inline constexpr std::uint8_t kTagThread = 0x08;
inline constexpr std::uint8_t kTagAlign = 0x10;
inline constexpr std::uint8_t kTagOld = 0x20;
inline constexpr std::uint8_t kTagTime = 0x40;
inline constexpr std::uint8_t kTagReserved = 0x80;

struct Header {
  std::uint32_t version = kVersion;
  std::uint32_t flags = 0;
  std::uint32_t threads = 0;
  std::uint64_t events = 0;
  std::uint64_t objects = 0;
  std::uint32_t time_unit_ns = 1;
  std::uint32_t source_format = 0;
  std::uint64_t page_size = 0;
  std::uint64_t peak_rss_bytes = 0;
  std::uint64_t runtime_ms = 0;
  // The recorded program's wall time under the recorder and without it
  // (allocsim record), 0 when unknown: replay scales trace time by their ratio.
  std::uint64_t traced_wall_ns = 0;
  std::uint64_t untraced_wall_ns = 0;
};

template <class T>
inline void put(unsigned char* p, T v) {
  std::memcpy(p, &v, sizeof v);  // x86-64 and aarch64 Linux are little-endian
}
template <class T>
inline T get(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline unsigned char* put_varint(unsigned char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<unsigned char>(v);
  return p;
}

// Decodes a varint from [p, end); nullptr when it runs past the end or
// past 64 bits.
inline const unsigned char* get_varint(const unsigned char* p, const unsigned char* end, std::uint64_t& v) {
  if (p < end && *p < 0x80) {
    v = *p;
    return p + 1;
  }
  std::uint64_t x = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const std::uint64_t byte = *p++;
    if (shift == 63 && byte > 1) return nullptr;
    x |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      v = x;
      return p;
    }
  }
  return nullptr;
}

// The reader keeps this many zero bytes after a block's payload so that
// varints decode with 8-byte loads and without a bounds check per field; a
// whole event (<= kMaxEventBytes) decoded from inside the payload can
// only end inside the padding, which the caller then detects.
inline constexpr std::size_t kPayloadPadding = 64;

// get_varint for a buffer with kPayloadPadding readable bytes after `p`:
// one 8-byte load serves the 1- and 2-byte varints that most fields are.
// Returns nullptr for a varint longer than 10 bytes or past 64 bits.
inline const unsigned char* get_varint_padded(const unsigned char* p, std::uint64_t& v) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  if (!(w & 0x80)) {
    v = w & 0x7f;
    return p + 1;
  }
  if (!(w & 0x8000)) {
    v = (w & 0x7f) | ((w >> 1) & 0x3f80);
    return p + 2;
  }
  return get_varint(p, p + 10, v);
}

inline std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

// Writes a version-2 header (kHeaderBytes).
void encode_header(const Header& h, unsigned char* out);
// The whole header's length from its first kHeaderPrefixBytes, or 0 when
// the prefix is not a native header of a known version (decode_header says why).
std::size_t header_length(const unsigned char* prefix);
// `in` holds header_length() bytes. Returns an error reason, or nullptr
// when the header is valid.
const char* decode_header(const unsigned char* in, Header& h);

}  // namespace allocsim::traces::native
