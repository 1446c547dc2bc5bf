// The native trace reader: one block in memory at a time, decoded straight
// into the caller's span. Every field is checked against what the stream
// allows (an object named before its birth, a thread beyond the header's
// count, a payload that ends mid-event), so a corrupt file is a TraceError
// with the byte offset of the offending event, never a bad event. The
// recorded program's RSS samples (version 2) come after the last block, so
// info().rss_samples is complete once read() has returned 0.
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "traces/native_codec.hpp"
#include "traces/native_format.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

using namespace native;

class NativeReader final : public EventReader {
 public:
  NativeReader(std::unique_ptr<ByteSource> source, const ReadOptions&) : source_(std::move(source)) {
    unsigned char raw[kHeaderBytes];
    if (read_exact(raw, kHeaderPrefixBytes) != kHeaderPrefixBytes) fail(0, "truncated header");
    const std::size_t length = header_length(raw);
    if (length && read_exact(raw + kHeaderPrefixBytes, length - kHeaderPrefixBytes) != length - kHeaderPrefixBytes)
      fail(0, "truncated header");
    if (const char* why = decode_header(raw, header_)) fail(0, why);
    info_.path = source_->path();
    info_.format = Format::Native;
    info_.threads = header_.threads;
    info_.has_time = (header_.flags & kFlagHasTime) != 0;
    info_.page_size = header_.page_size;
    info_.peak_rss_bytes = header_.peak_rss_bytes;
    info_.runtime_ms = header_.runtime_ms;
    info_.traced_wall_ns = header_.traced_wall_ns;
    info_.untraced_wall_ns = header_.untraced_wall_ns;
    time_scale_ = header_.time_unit_ns;
  }

  std::size_t read(std::span<Event> out) override {
    std::size_t n = 0;
    while (n < out.size()) {
      if (block_left_ == 0 && !load_block()) break;
      const std::size_t k = std::min<std::size_t>(out.size() - n, block_left_);
      decode(out.subspan(n, k));
      n += k;
      block_left_ -= static_cast<std::uint32_t>(k);
      if (block_left_ == 0 && pos_ != payload_end())
        fail(offset_of(pos_), "block payload is longer than its events");
    }
    return n;
  }
  const TraceInfo& info() const override { return info_; }
  ReadPosition position() const override { return position_of(*source_); }
  const AnomalyReport& anomalies() const override { return anomalies_; }

 private:
  // The hot loop: state lives in locals, fields decode without bounds
  // checks (the payload is padded), and one check per event catches a
  // payload that ends mid-event.
  void decode(std::span<Event> out) {
    const unsigned char* p = pos_;
    const unsigned char* const end = payload_end();
    std::uint32_t thread = thread_;
    std::uint64_t time = time_, births = births_;
    for (Event& e : out) {
      const unsigned char* const at = p;
      if (p >= end) fail(offset_of(at), "block payload ends before its last event");
      const std::uint8_t tag = *p++;
      const std::uint8_t op = tag & kOpMask;
      if ((tag & kTagReserved) || op >= kOpCount) fail(offset_of(at), "bad event tag");
      std::uint64_t v = 0;
      if (tag & kTagThread) {
        p = field(p, at, v);
        if (v >= header_.threads) fail(offset_of(at), "thread index beyond the header's thread count");
        thread = static_cast<std::uint32_t>(v);
      }
      e.thread = thread;
      e.time = kNoTime;
      if (tag & kTagTime) {
        p = field(p, at, v);
        time += static_cast<std::uint64_t>(unzigzag(v));
        e.time = time * time_scale_;
      }
      e.align = 0;
      if (tag & kTagAlign) {
        p = field(p, at, v);
        if (v > UINT32_MAX) fail(offset_of(at), "alignment does not fit in 32 bits");
        e.align = static_cast<std::uint32_t>(v);
      }
      e.op = static_cast<Op>(op);
      e.old_id = kNoObject;
      // Body: Free -> back(id); allocations -> size [back(old_id)].
      p = field(p, at, v);
      const bool is_free = e.op == Op::Free;
      if (is_free && v >= births) fail(offset_of(at), "event names an object before its birth");
      e.id = is_free ? births - 1 - v : births;
      e.size = is_free ? 0 : v;
      if (tag & kTagOld) {
        if (e.op != Op::Realloc) fail(offset_of(at), "old object on an event that is not a realloc");
        p = field(p, at, v);
        if (v >= births) fail(offset_of(at), "event names an object before its birth");
        e.old_id = births - 1 - v;
      }
      if (!is_free && births == header_.objects) fail(offset_of(at), "more births than the header's object count");
      births += is_free ? 0 : 1;
      if (p > end) fail(offset_of(at), "event runs past the end of its block");
    }
    pos_ = p;
    thread_ = thread;
    time_ = time;
    births_ = births;
  }

  const unsigned char* field(const unsigned char* p, const unsigned char* at, std::uint64_t& v) const {
    p = get_varint_padded(p, v);
    if (!p) fail(offset_of(at), "malformed number in event");
    return p;
  }
  const unsigned char* payload_end() const { return payload_.data() + payload_bytes_; }

  bool load_block() {
    if (events_read_ == header_.events) {
      if ((header_.flags & kFlagHasRss) && info_.rss_samples.empty()) read_rss();
      unsigned char extra;
      if (source_->read(reinterpret_cast<char*>(&extra), 1) != 0) fail(offset_, "data after the last block");
      if (births_ != header_.objects) fail(offset_, "fewer births than the header's object count");
      return false;
    }
    const std::uint64_t block_at = offset_;
    unsigned char h[kBlockHeaderBytes];
    if (read_exact(h, sizeof h) != sizeof h) fail(block_at, "truncated file: block header expected");
    const auto events = get<std::uint32_t>(h + 4);
    const auto bytes = get<std::uint32_t>(h + 8);
    if (std::memcmp(h, kBlockMagic, sizeof kBlockMagic) != 0) fail(block_at, "bad block magic");
    if (events == 0 || events > kMaxBlockEvents || events > header_.events - events_read_)
      fail(block_at, "bad block event count");
    if (bytes < events || bytes > std::uint64_t{events} * kMaxEventBytes) fail(block_at, "bad block payload size");
    if (payload_.size() < bytes + kPayloadPadding) payload_.resize(bytes + kPayloadPadding);
    std::memset(payload_.data() + bytes, 0, kPayloadPadding);
    payload_bytes_ = bytes;
    payload_at_ = offset_;
    if (read_exact(payload_.data(), bytes) != bytes) fail(block_at, "truncated file: block payload cut short");
    const auto crc = static_cast<std::uint32_t>(crc32(0L, payload_.data(), bytes));
    if (crc != get<std::uint32_t>(h + 12)) fail(block_at, "block checksum mismatch");
    pos_ = payload_.data();
    block_left_ = events;
    events_read_ += events;
    return true;
  }

  void read_rss() {
    const std::uint64_t at = offset_;
    unsigned char h[kBlockHeaderBytes];
    if (read_exact(h, sizeof h) != sizeof h) fail(at, "truncated file: RSS samples expected after the last block");
    const auto count = get<std::uint32_t>(h + 4);
    const auto bytes = get<std::uint32_t>(h + 8);
    if (std::memcmp(h, kRssMagic, sizeof kRssMagic) != 0) fail(at, "bad RSS sample magic");
    if (count == 0 || count > kMaxRssSamples) fail(at, "bad RSS sample count");
    if (bytes < 3ull * count || bytes > std::uint64_t{count} * kMaxRssSampleBytes) fail(at, "bad RSS sample payload size");
    std::vector<unsigned char> payload(bytes);
    if (read_exact(payload.data(), bytes) != bytes) fail(at, "truncated file: RSS samples cut short");
    if (static_cast<std::uint32_t>(crc32(0L, payload.data(), bytes)) != get<std::uint32_t>(h + 12))
      fail(at, "RSS sample checksum mismatch");
    const unsigned char* p = payload.data();
    const unsigned char* const end = p + bytes;
    std::uint64_t events = 0, time = 0;
    info_.rss_samples.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      std::uint64_t de = 0, dt = 0, rss = 0;
      if (!(p = get_varint(p, end, de)) || !(p = get_varint(p, end, dt)) || !(p = get_varint(p, end, rss)))
        fail(at, "malformed RSS sample");
      if (de > header_.events - events) fail(at, "RSS sample past the last event");
      events += de;
      time += static_cast<std::uint64_t>(unzigzag(dt));
      info_.rss_samples.push_back({events, time, rss});
    }
    if (p != end) fail(at, "RSS sample payload is longer than its samples");
  }

  std::size_t read_exact(unsigned char* p, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
      const std::size_t k = source_->read(reinterpret_cast<char*>(p) + got, n - got);
      if (k == 0) break;
      got += k;
    }
    offset_ += got;
    return got;
  }

  std::uint64_t offset_of(const unsigned char* at) const {
    return payload_at_ + static_cast<std::uint64_t>(at - payload_.data());
  }
  [[noreturn]] void fail(std::uint64_t offset, const char* why) const {
    throw TraceError::at_offset(info_.path.empty() ? source_->path() : info_.path, offset, why);
  }

  std::unique_ptr<ByteSource> source_;
  Header header_;
  TraceInfo info_;
  AnomalyReport anomalies_;  // the native format has nothing to repair
  std::vector<unsigned char> payload_;  // payload_bytes_ of payload, then kPayloadPadding zeros
  std::size_t payload_bytes_ = 0;
  const unsigned char* pos_ = nullptr;
  std::uint64_t payload_at_ = 0;  // offset of payload_[0] in the (decompressed) stream
  std::uint64_t offset_ = 0;      // bytes consumed from the source
  std::uint32_t block_left_ = 0;
  std::uint64_t events_read_ = 0;  // in blocks loaded so far
  std::uint64_t births_ = 0;
  std::uint32_t thread_ = 0;
  std::uint64_t time_ = 0;
  std::uint64_t time_scale_ = 1;
};

}  // namespace

std::unique_ptr<EventReader> make_native_reader(std::unique_ptr<ByteSource> source, const ReadOptions& options) {
  return std::make_unique<NativeReader>(std::move(source), options);
}

std::unique_ptr<EventReader> make_native_reader(const std::string& path, const ReadOptions& options) {
  return make_native_reader(open_input(path), options);
}

bool looks_like_native(std::string_view head) {
  return head.size() >= sizeof kMagic && std::memcmp(head.data(), kMagic, sizeof kMagic) == 0;
}

}  // namespace allocsim::traces
