// Writer of allocsim's CSV trace format (csv_format.hpp). Writes into a
// temporary file beside the destination and renames it into place in
// finish(), so a reader never sees half a trace.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <stdexcept>

#include "traces/csv_format.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

constexpr std::size_t kFlushBytes = std::size_t{1} << 20;

class CsvWriter final : public EventWriter {
 public:
  explicit CsvWriter(std::string path) : path_(std::move(path)), temp_(path_ + ".tmp.XXXXXX") {
    fd_ = ::mkstemp(temp_.data());
    if (fd_ < 0) fail("cannot create a temporary file: ");
    ::fchmod(fd_, 0644);  // mkstemp makes 0600; a trace is an ordinary file
    fmt::format_to(std::back_inserter(buffer_), "# allocsim-csv v1\n# thread,op,id,size,align,old_id,time_ns\n");
  }
  ~CsvWriter() override {
    if (fd_ < 0) return;
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void write(std::span<const Event> events) override {
    if (fd_ < 0) throw std::logic_error("csv writer: write() after finish()");
    for (const Event& e : events) {
      format(e);
      if (buffer_.size() >= kFlushBytes) flush();
    }
  }

  void finish() override {
    if (fd_ < 0) throw std::logic_error("csv writer: finish() called twice");
    flush();
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
      ::unlink(temp_.c_str());
      fail("cannot close: ");
    }
    if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      const int err = errno;
      ::unlink(temp_.c_str());
      errno = err;
      fail("cannot rename the finished file into place: ");
    }
  }

 private:
  // Trailing fields that hold their default are left out; inner ones are
  // left empty. An allocation always shows its size (0 is a valid request).
  void format(const Event& e) {
    if (e.old_id != kNoObject && e.op != Op::Realloc)
      throw std::invalid_argument(fmt::format("csv writer: a {} event with an old id cannot be written", op_name(e.op)));
    auto out = std::back_inserter(buffer_);
    fmt::format_to(out, "{},{},{}", e.thread, op_name(e.op), e.id);
    const bool size = e.op != Op::Free || e.size != 0;
    const bool align = e.align != 0;
    const bool old_id = e.old_id != kNoObject;
    const bool time = e.time != kNoTime;
    if (size || align || old_id || time) {
      buffer_.push_back(',');
      if (size) fmt::format_to(out, "{}", e.size);
    }
    if (align || old_id || time) {
      buffer_.push_back(',');
      if (align) fmt::format_to(out, "{}", e.align);
    }
    if (old_id || time) {
      buffer_.push_back(',');
      if (old_id) fmt::format_to(out, "{}", e.old_id);
    }
    if (time) fmt::format_to(out, ",{}", e.time);
    buffer_.push_back('\n');
  }

  void flush() {
    const char* p = buffer_.data();
    std::size_t left = buffer_.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("cannot write: ");
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }

  [[noreturn]] void fail(const char* what) const {
    throw TraceError(path_, TraceError::Where::None, 0, std::string(what) + std::strerror(errno));
  }

  std::string path_;
  std::string temp_;
  int fd_ = -1;
  fmt::memory_buffer buffer_;
};

}  // namespace

std::unique_ptr<EventWriter> make_csv_writer(const std::string& path) { return std::make_unique<CsvWriter>(path); }

}  // namespace allocsim::traces
