// The native trace writer: events are encoded into one block at a time
// (at most kMaxBlockEvents), written to a temporary file beside the
// destination, and the header (counts known only at the end) is written
// last, just before the rename that makes the file appear whole. The
// recorded program's RSS samples (known only once the source is read) follow
// the last block.
#include <fcntl.h>
#include <sys/stat.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "traces/native_codec.hpp"
#include "traces/native_format.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

using namespace native;

class NativeFileWriter final : public NativeWriter {
 public:
  explicit NativeFileWriter(std::string path) : path_(std::move(path)), temp_(path_ + ".tmp.XXXXXX") {
    fd_ = ::mkstemp(temp_.data());
    if (fd_ < 0) throw TraceError(path_, TraceError::Where::None, 0, std::string("cannot create: ") + std::strerror(errno));
    ::fchmod(fd_, 0644);
    block_.resize(kBlockHeaderBytes + kMaxBlockPayload);
    unsigned char zero[kHeaderBytes] = {};
    write_all(zero, sizeof zero);  // the real header comes in finish()
  }
  ~NativeFileWriter() override {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(temp_.c_str());
    }
  }
  NativeFileWriter(const NativeFileWriter&) = delete;
  NativeFileWriter& operator=(const NativeFileWriter&) = delete;

  void set_info(const TraceInfo& info) override {
    header_.source_format = static_cast<std::uint32_t>(info.format);
    header_.page_size = info.page_size;
    header_.peak_rss_bytes = info.peak_rss_bytes;
    header_.runtime_ms = info.runtime_ms;
    header_.traced_wall_ns = info.traced_wall_ns;
    header_.untraced_wall_ns = info.untraced_wall_ns;
    rss_ = info.rss_samples;
  }

  void write(std::span<const Event> events) override {
    for (const Event& e : events) {
      if (block_events_ == kMaxBlockEvents) flush_block();
      encode(e);
    }
  }

  void finish() override {
    if (fd_ < 0) throw std::logic_error("native writer: finish() called twice");
    flush_block();
    write_rss();
    unsigned char header[kHeaderBytes];
    encode_header(header_, header);
    if (::pwrite(fd_, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) fail("cannot write the header");
    if (::close(fd_) != 0) {
      fd_ = -1;
      ::unlink(temp_.c_str());
      throw TraceError(path_, TraceError::Where::None, 0, std::string("cannot close: ") + std::strerror(errno));
    }
    fd_ = -1;
    if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      const std::string why = std::strerror(errno);
      ::unlink(temp_.c_str());
      throw TraceError(path_, TraceError::Where::None, 0, "cannot rename the finished file into place: " + why);
    }
  }

 private:
  // Object n is the n-th birth, so births carry no id and deaths name how
  // long ago their object was born; anything else is not a valid stream.
  std::uint64_t back(std::uint64_t id, const Event& e) const {
    if (id >= header_.objects)
      throw std::invalid_argument(fmt::format("native writer: event {} names object {} before its birth", header_.events, id));
    return header_.objects - 1 - id;
  }

  void encode(const Event& e) {
    unsigned char* p = block_.data() + kBlockHeaderBytes + payload_;
    unsigned char* tag = p++;
    std::uint8_t bits = static_cast<std::uint8_t>(e.op);
    if (static_cast<int>(e.op) >= kOpCount) throw std::invalid_argument("native writer: unknown op");
    if (e.thread != thread_) {
      bits |= kTagThread;
      p = put_varint(p, e.thread);
      thread_ = e.thread;
    }
    if (e.time != kNoTime) {
      bits |= kTagTime;
      p = put_varint(p, zigzag(static_cast<std::int64_t>(e.time - time_)));
      time_ = e.time;
      header_.flags |= kFlagHasTime;
    }
    if (e.align != 0) {
      bits |= kTagAlign;
      p = put_varint(p, e.align);
    }
    if (e.op == Op::Free) {
      p = put_varint(p, back(e.id, e));
    } else {
      if (e.id != header_.objects)
        throw std::invalid_argument(fmt::format("native writer: event {} is the birth of object {}, expected {}",
                                                header_.events, e.id, header_.objects));
      p = put_varint(p, e.size);
      if (e.op == Op::Realloc && e.old_id != kNoObject) {
        bits |= kTagOld;
        p = put_varint(p, back(e.old_id, e));
      }
      ++header_.objects;
    }
    *tag = bits;
    payload_ = static_cast<std::size_t>(p - (block_.data() + kBlockHeaderBytes));
    ++block_events_;
    ++header_.events;
    if (e.thread >= header_.threads) header_.threads = e.thread + 1;
  }

  void flush_block() {
    if (block_events_ == 0) return;
    unsigned char* h = block_.data();
    std::memcpy(h, kBlockMagic, sizeof kBlockMagic);
    put<std::uint32_t>(h + 4, block_events_);
    put<std::uint32_t>(h + 8, static_cast<std::uint32_t>(payload_));
    put<std::uint32_t>(h + 12, static_cast<std::uint32_t>(crc32(0L, h + kBlockHeaderBytes, static_cast<uInt>(payload_))));
    write_all(h, kBlockHeaderBytes + payload_);
    block_events_ = 0;
    payload_ = 0;
  }

  // Samples in stream order, each at or before the end of the events.
  void write_rss() {
    if (rss_.empty()) return;
    if (rss_.size() > kMaxRssSamples) throw std::invalid_argument("native writer: more RSS samples than the format holds");
    std::vector<unsigned char> out(kBlockHeaderBytes + rss_.size() * kMaxRssSampleBytes);
    unsigned char* p = out.data() + kBlockHeaderBytes;
    std::uint64_t events = 0, time = 0;
    for (const RssSample& r : rss_) {
      if (r.events < events || r.events > header_.events)
        throw std::invalid_argument(fmt::format("native writer: RSS sample after event {} is out of order or past the "
                                                "last event ({})", r.events, header_.events));
      p = put_varint(p, r.events - events);
      p = put_varint(p, zigzag(static_cast<std::int64_t>(r.time_ms - time)));
      p = put_varint(p, r.bytes);
      events = r.events;
      time = r.time_ms;
    }
    const auto payload = static_cast<std::uint32_t>(p - out.data() - kBlockHeaderBytes);
    std::memcpy(out.data(), kRssMagic, sizeof kRssMagic);
    put<std::uint32_t>(out.data() + 4, static_cast<std::uint32_t>(rss_.size()));
    put<std::uint32_t>(out.data() + 8, payload);
    put<std::uint32_t>(out.data() + 12, static_cast<std::uint32_t>(crc32(0L, out.data() + kBlockHeaderBytes, payload)));
    write_all(out.data(), kBlockHeaderBytes + payload);
    header_.flags |= kFlagHasRss;
  }

  void write_all(const unsigned char* p, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) fail("cannot write");
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }

  [[noreturn]] void fail(const char* what) const {
    throw TraceError(path_, TraceError::Where::None, 0, fmt::format("{}: {}", what, std::strerror(errno)));
  }

  std::string path_;
  std::string temp_;
  int fd_ = -1;
  Header header_;
  std::vector<unsigned char> block_;  // block header + payload being filled
  std::size_t payload_ = 0;
  std::uint32_t block_events_ = 0;
  std::uint32_t thread_ = 0;  // of the previous event; the stream starts on thread 0
  std::uint64_t time_ = 0;    // of the previous event with a time; the stream starts at 0
  std::vector<RssSample> rss_;
};

}  // namespace

std::unique_ptr<NativeWriter> make_native_writer(const std::string& path) {
  return std::make_unique<NativeFileWriter>(path);
}

}  // namespace allocsim::traces
