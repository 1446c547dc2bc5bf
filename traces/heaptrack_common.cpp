#include "traces/heaptrack_common.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "traces/trace_error.hpp"

namespace allocsim::traces {

// The newest heaptrack file format this reader knows (heaptrack 1.4).
constexpr std::uint64_t kNewestFileFormat = 3;

bool HeaptrackFields::sized_string(std::string_view& s) {
  std::uint64_t len = 0;
  if (!hex(len)) return false;
  if (len > static_cast<std::uint64_t>(end_ - p_)) return fail("sized string runs past the end of the line");
  s = std::string_view(p_, static_cast<std::size_t>(len));
  p_ += len;
  if (p_ != end_ && *p_++ != ' ') return fail("sized string is longer than its length says");
  return true;
}

bool HeaptrackFields::token(std::string_view& s) {
  const char* stop = std::find(p_, end_, ' ');
  if (stop == p_) return fail("missing field");
  s = std::string_view(p_, static_cast<std::size_t>(stop - p_));
  p_ = stop == end_ ? stop : stop + 1;
  return true;
}

HeaptrackReaderBase::HeaptrackReaderBase(std::unique_ptr<LineReader> lines, const ReadOptions& options,
                                         Format format)
    : options_(options), lines_(std::move(lines)) {
  info_.path = lines_->path();
  info_.format = format;
}

std::size_t HeaptrackReaderBase::read(std::span<Event> out) {
  out_ = out;
  n_ = 0;
  while (n_ < out.size() && pending_pos_ < pending_.size()) out[n_++] = pending_[pending_pos_++];
  if (pending_pos_ == pending_.size()) {
    pending_.clear();
    pending_pos_ = 0;
  }
  std::string_view line;
  while (n_ < out.size() && pending_.empty() && !done_) {
    if (!lines_->next(line)) {
      finish();
      break;
    }
    dispatch(line);
  }
  return n_;
}

void HeaptrackReaderBase::dispatch(std::string_view line) {
  line_ = line;
  if (line.empty()) return;  // heaptrack reads an empty line as a comment
  const char type = line[0];
  if (line.size() > 1 && line[1] != ' ') bad_line("expected a record type character and a space");
  HeaptrackFields fields(line.size() > 2 ? line.substr(2) : std::string_view{});
  if (type == '+' || type == '-' || !common_record(type, fields)) record(type, fields);
}

bool HeaptrackReaderBase::common_record(char type, HeaptrackFields& f) {
  std::uint64_t a = 0, b = 0;
  switch (type) {
    case '#':  // comment
    case 'X':  // the command line, rest of the line
    case 'S':  // a suppression embedded by the program
    case 'A':  // attached at run time; heaptrack_print's totals ignore it
      return true;
    case 'v':  // heaptrack version, file format version
      expect(f.hex(a) && f.hex(b), f, "v heaptrack_version file_format");
      if (b > kNewestFileFormat)
        bad_line(fmt::format("heaptrack file format {} is newer than the {} this reader knows", b, kNewestFileFormat));
      file_format_ = b;
      return true;
    case 'I':  // page size, physical pages
      expect(f.hex(a) && f.hex(b), f, "I page_size physical_pages");
      info_.page_size = a;
      return true;
    case 'c':  // milliseconds since start
      expect(f.hex(a), f, "c milliseconds");
      expect_end(f, "c milliseconds");
      last_ms_ = a;
      saw_time_ = true;
      return true;
    case 'R':  // resident set size in pages
      expect(f.hex(a), f, "R rss_pages");
      expect_end(f, "R rss_pages");
      max_rss_pages_ = std::max(max_rss_pages_, a);
      return true;
    default:
      return false;
  }
}

void HeaptrackReaderBase::finish() {
  done_ = true;
  info_.threads = saw_events() ? 1 : 0;
  info_.peak_rss_bytes = max_rss_pages_ * info_.page_size;
  info_.runtime_ms = saw_time_ ? last_ms_ + 1 : 0;
}

void HeaptrackReaderBase::overflow(const Event& e) { pending_.push_back(e); }

void HeaptrackReaderBase::anomaly(Anomaly a, std::string_view reason) {
  if (options_.strict && anomaly_is_repair(a)) bad_line(fmt::format("{} (--strict)", reason));
  anomalies_.add(a, lines_->line_number(), line_);
}

void HeaptrackReaderBase::bad_line(std::string_view reason) const {
  throw TraceError::at_line(info_.path, lines_->line_number(), std::string(reason));
}

void HeaptrackReaderBase::unknown_record(char type) const {
  const bool printable = type >= 0x20 && type < 0x7f;
  bad_line(printable ? fmt::format("unknown heaptrack record type '{}'", type)
                     : fmt::format("unknown heaptrack record type (byte 0x{:02x})", static_cast<unsigned char>(type)));
}

void HeaptrackReaderBase::bad_field(const HeaptrackFields& f, std::string_view record) const {
  bad_line(fmt::format("{} (expected '{}')", f.error(), record));
}

void HeaptrackReaderBase::expect_end(const HeaptrackFields& f, std::string_view record) const {
  if (!f.done()) bad_line(fmt::format("unexpected text after the last field (expected '{}')", record));
}

std::uint64_t HeaptrackReaderBase::checked_size(std::uint64_t size) const {
  if (size > kMaxHeaptrackSize) bad_line(fmt::format("size {} is larger than any address space", size));
  return size;
}

}  // namespace allocsim::traces
