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

// Events wait for a time: heaptrack dates nothing but writes `c <ms>`
// about every 10 ms, so the events between two ticks are spread evenly
// over that interval (those after the last tick over one more tick
// period). A file that shows no tick in its first kMaxHeld events is read
// without times rather than held whole.
namespace {
constexpr std::size_t kMaxHeld = std::size_t{1} << 22;
constexpr std::uint64_t kNsPerMs = 1'000'000;
}  // namespace

std::size_t HeaptrackReaderBase::read(std::span<Event> out) {
  std::size_t n = 0;
  std::string_view line;
  while (n < out.size()) {
    if (ready_pos_ < ready_.size()) {
      const std::size_t k = std::min(out.size() - n, ready_.size() - ready_pos_);
      std::copy_n(ready_.begin() + static_cast<std::ptrdiff_t>(ready_pos_), k, out.begin() + static_cast<std::ptrdiff_t>(n));
      n += k;
      ready_pos_ += k;
      continue;
    }
    if (done_) break;
    if (!lines_->next(line)) {
      finish();
      continue;
    }
    dispatch(line);
    if (undated_ && !held_.empty()) release(0, 0, false);
    else if (!saw_time_ && held_.size() >= kMaxHeld) {
      undated_ = true;
      release(0, 0, false);
    }
  }
  return n;
}

void HeaptrackReaderBase::release(std::uint64_t from_ns, std::uint64_t to_ns, bool dated) {
  if (dated) {
    const double step = double(to_ns - from_ns) / double(held_.size());
    for (std::size_t i = 0; i < held_.size(); ++i) held_[i].time = from_ns + static_cast<std::uint64_t>(step * (double(i) + 0.5));
  }
  if (ready_pos_ == ready_.size()) {
    ready_.swap(held_);
    ready_pos_ = 0;
  } else {
    ready_.insert(ready_.end(), held_.begin(), held_.end());
  }
  held_.clear();
}

void HeaptrackReaderBase::tick(std::uint64_t ms) {
  if (ms < last_ms_) bad_line("time goes backwards");
  if (saw_time_ && ms > last_ms_) tick_period_ms_ = ms - last_ms_;
  if (!held_.empty() || undated_) release(saw_time_ ? last_ms_ * kNsPerMs : 0, ms * kNsPerMs, !undated_);
  last_ms_ = ms;
  saw_time_ = true;
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
      tick(a);
      return true;
    case 'R':  // resident set size in pages
      expect(f.hex(a), f, "R rss_pages");
      expect_end(f, "R rss_pages");
      max_rss_pages_ = std::max(max_rss_pages_, a);
      info_.rss_samples.push_back({emitted_, last_ms_, a});  // pages until finish(): `I` may come later
      return true;
    default:
      return false;
  }
}

void HeaptrackReaderBase::finish() {
  done_ = true;
  if (!held_.empty()) {
    const bool dated = saw_time_ && !undated_;
    release(last_ms_ * kNsPerMs, (last_ms_ + tick_period_ms_) * kNsPerMs, dated);
  }
  info_.threads = saw_events() ? 1 : 0;
  info_.has_time = saw_time_ && !undated_;
  info_.peak_rss_bytes = max_rss_pages_ * info_.page_size;
  for (RssSample& r : info_.rss_samples) r.bytes *= info_.page_size;
  info_.runtime_ms = saw_time_ ? last_ms_ + 1 : 0;
}

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
