// Byte sources (plain, zstd, gzip over a file or memory) and the line splitter.
//
// Layering: a RawInput hands out windows of the stored (possibly
// compressed) bytes and knows their file offset; a ByteSource turns them
// into plain bytes; LineReader cuts plain bytes into lines. Decompression
// errors name the compressed byte offset where the decoder gave up.
#include "traces/input_stream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;
constexpr std::size_t kMaxLine = std::size_t{16} << 20;

// The stored bytes, a window at a time.
class RawInput {
 public:
  virtual ~RawInput() = default;
  // Unconsumed bytes of the current window (empty: call refill()).
  std::string_view window() const { return {data_ + pos_, len_ - pos_}; }
  void consume(std::size_t n) { pos_ += n; }
  // Offset in the file of the first byte of window().
  std::uint64_t offset() const { return base_ + pos_; }
  // Loads the next window once the current one is used up; false at the end.
  virtual bool refill() = 0;
  virtual std::uint64_t size() const = 0;
  const std::string& name() const { return name_; }

 protected:
  explicit RawInput(std::string name) : name_(std::move(name)) {}
  void set_window(const char* data, std::size_t len) {
    base_ += len_;
    data_ = data;
    len_ = len;
    pos_ = 0;
  }

 private:
  std::string name_;
  const char* data_ = nullptr;
  std::size_t len_ = 0;
  std::size_t pos_ = 0;
  std::uint64_t base_ = 0;  // file offset of data_[0]
};

class FileInput final : public RawInput {
 public:
  explicit FileInput(const std::string& path) : RawInput(path), buffer_(kChunk) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw TraceError(path, TraceError::Where::None, 0, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || S_ISDIR(st.st_mode)) {
      ::close(fd_);
      throw TraceError(path, TraceError::Where::None, 0, "not a readable file");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  ~FileInput() override { ::close(fd_); }
  FileInput(const FileInput&) = delete;
  FileInput& operator=(const FileInput&) = delete;

  bool refill() override {
    std::size_t got = 0;
    while (got < buffer_.size()) {
      const ssize_t n = ::read(fd_, buffer_.data() + got, buffer_.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw TraceError::at_offset(name(), offset(), std::strerror(errno));
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    set_window(buffer_.data(), got);
    return got > 0;
  }
  std::uint64_t size() const override { return size_; }

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::vector<char> buffer_;
};

class MemoryInput final : public RawInput {
 public:
  MemoryInput(std::string_view data, std::string name) : RawInput(std::move(name)), data_(data) {}
  bool refill() override {
    if (served_) {
      set_window(nullptr, 0);
      return false;
    }
    served_ = true;
    set_window(data_.data(), data_.size());
    return !data_.empty();
  }
  std::uint64_t size() const override { return data_.size(); }

 private:
  std::string_view data_;
  bool served_ = false;
};

// Common plumbing of the three sources.
class SourceBase : public ByteSource {
 public:
  explicit SourceBase(std::unique_ptr<RawInput> raw) : raw_(std::move(raw)) {}
  const std::string& path() const override { return raw_->name(); }
  std::uint64_t file_offset() const override { return raw_->offset(); }
  std::uint64_t file_size() const override { return raw_->size(); }

 protected:
  // The current window, refilled when used up; empty only at the end.
  std::string_view input() {
    if (raw_->window().empty()) raw_->refill();
    return raw_->window();
  }
  [[noreturn]] void fail(std::uint64_t offset, const std::string& reason) const {
    throw TraceError::at_offset(path(), offset, reason);
  }
  std::unique_ptr<RawInput> raw_;
};

class PlainSource final : public SourceBase {
 public:
  using SourceBase::SourceBase;
  std::size_t read(char* buffer, std::size_t n) override {
    const std::string_view in = input();
    const std::size_t take = std::min(n, in.size());
    if (take == 0) return 0;  // an empty view may have no data pointer
    std::memcpy(buffer, in.data(), take);
    raw_->consume(take);
    return take;
  }
  Compression compression() const override { return Compression::None; }
};

class ZstdSource final : public SourceBase {
 public:
  explicit ZstdSource(std::unique_ptr<RawInput> raw) : SourceBase(std::move(raw)), stream_(ZSTD_createDStream()) {
    if (!stream_) fail(0, "cannot create a zstd decoder");
  }
  ~ZstdSource() override { ZSTD_freeDStream(stream_); }
  ZstdSource(const ZstdSource&) = delete;
  ZstdSource& operator=(const ZstdSource&) = delete;

  std::size_t read(char* buffer, std::size_t n) override {
    for (;;) {
      const std::string_view window = input();
      ZSTD_inBuffer in{window.data(), window.size(), 0};
      ZSTD_outBuffer out{buffer, n, 0};
      const std::size_t ret = ZSTD_decompressStream(stream_, &out, &in);
      if (ZSTD_isError(ret))
        fail(raw_->offset() + in.pos, std::string("corrupt zstd data: ") + ZSTD_getErrorName(ret));
      raw_->consume(in.pos);
      if (in.pos > 0 || out.pos > 0) mid_frame_ = ret != 0;
      if (out.pos > 0) return out.pos;
      if (in.pos == 0 && window.empty()) {
        if (mid_frame_) fail(raw_->offset(), "truncated zstd data (the frame is incomplete)");
        return 0;
      }
    }
  }
  Compression compression() const override { return Compression::Zstd; }

 private:
  ZSTD_DStream* stream_;
  bool mid_frame_ = false;
};

class GzipSource final : public SourceBase {
 public:
  explicit GzipSource(std::unique_ptr<RawInput> raw) : SourceBase(std::move(raw)) {
    if (inflateInit2(&stream_, 15 + 32) != Z_OK) fail(0, "cannot create a zlib decoder");
  }
  ~GzipSource() override { inflateEnd(&stream_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  std::size_t read(char* buffer, std::size_t n) override {
    for (;;) {
      const std::string_view window = input();
      if (window.empty() && !mid_member_) return 0;
      if (!mid_member_ && inflateReset(&stream_) != Z_OK) fail(raw_->offset(), "cannot reset the zlib decoder");
      mid_member_ = true;
      stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(window.data()));
      stream_.avail_in = static_cast<uInt>(std::min<std::size_t>(window.size(), 1u << 30));
      stream_.next_out = reinterpret_cast<Bytef*>(buffer);
      stream_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
      const int ret = inflate(&stream_, Z_NO_FLUSH);
      const std::size_t used = static_cast<std::size_t>(stream_.next_in - reinterpret_cast<const Bytef*>(window.data()));
      const std::size_t made = static_cast<std::size_t>(stream_.next_out - reinterpret_cast<Bytef*>(buffer));
      if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
        fail(raw_->offset() + used, std::string("corrupt gzip data: ") + (stream_.msg ? stream_.msg : zError(ret)));
      raw_->consume(used);
      if (ret == Z_STREAM_END) mid_member_ = false;  // another member may follow
      if (made > 0) return made;
      // No input left and nothing came out: the member never ended.
      if (window.empty() && mid_member_) fail(raw_->offset(), "truncated gzip data (the stream is incomplete)");
    }
  }
  Compression compression() const override { return Compression::Gzip; }

 private:
  z_stream stream_{};
  bool mid_member_ = false;
};

std::unique_ptr<ByteSource> sniff(std::unique_ptr<RawInput> raw) {
  raw->refill();
  const std::string_view head = raw->window();
  const auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  if (starts("\x28\xB5\x2F\xFD")) return std::make_unique<ZstdSource>(std::move(raw));
  if (starts("\x1F\x8B")) return std::make_unique<GzipSource>(std::move(raw));
  return std::make_unique<PlainSource>(std::move(raw));
}

}  // namespace

std::unique_ptr<ByteSource> open_input(const std::string& path) { return sniff(std::make_unique<FileInput>(path)); }

std::unique_ptr<ByteSource> make_memory_source(std::string_view data, std::string name) {
  return sniff(std::make_unique<MemoryInput>(data, std::move(name)));
}

namespace {
// 1 MiB, or less for a small plain input: the size of a plain input is
// known, and small inputs (tests, fuzzing) should not pay for a big buffer.
std::size_t initial_buffer(const ByteSource& source) {
  if (source.compression() != Compression::None) return kChunk;
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(source.file_size() + 1, 4096, kChunk));
}
}  // namespace

LineReader::LineReader(std::unique_ptr<ByteSource> source)
    : source_(std::move(source)), buffer_(initial_buffer(*source_)) {}

// Moves the unconsumed tail to the front and reads more behind it; false
// when the source is exhausted.
bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) {
    if (buffer_.size() >= kMaxLine)
      throw TraceError::at_line(path(), line_number_ + 1, "line longer than 16 MiB (not a text trace?)");
    buffer_.resize(buffer_.size() * 2);
  }
  const std::size_t got = source_->read(buffer_.data() + end_, buffer_.size() - end_);
  if (got == 0) eof_ = true;
  end_ += got;
  return got > 0;
}

bool LineReader::next(std::string_view& line) {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const std::size_t avail = end_ - begin_;
    const void* nl = std::memchr(start + scanned_, '\n', avail - scanned_);
    std::size_t len = 0;
    if (nl) {
      len = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
      begin_ += len + 1;
    } else if (fill()) {
      scanned_ = avail;  // fill() keeps the unconsumed bytes, just moved
      continue;
    } else {
      start = buffer_.data() + begin_;
      len = end_ - begin_;
      if (len == 0) return false;
      begin_ = end_;  // the last line has no '\n'
    }
    scanned_ = 0;
    if (len > 0 && start[len - 1] == '\r') --len;
    line = std::string_view(start, len);
    ++line_number_;
    return true;
  }
}

std::string_view LineReader::peek(std::size_t n) {
  while (end_ - begin_ < n && fill()) {
  }
  return std::string_view(buffer_.data() + begin_, std::min(n, end_ - begin_));
}

}  // namespace allocsim::traces
