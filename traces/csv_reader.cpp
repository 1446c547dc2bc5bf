// Reader of allocsim's CSV trace format (grammar in csv_format.hpp and
// docs/csv-trace-format.md).
#include <fmt/format.h>

#include <array>
#include <bit>
#include <optional>
#include <vector>

#include "traces/csv_format.hpp"
#include "traces/flat_map.hpp"
#include "traces/object_ids.hpp"
#include "traces/scan_number.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

constexpr std::string_view kMagic = "# allocsim-csv";
constexpr std::string_view kVersion = "v1";
constexpr std::string_view kColumns = "thread,op,id,size,align,old_id,time_ns";
constexpr int kMinFields = 3;
constexpr int kMaxFields = 7;
constexpr std::uint64_t kMaxThread = 0xFFFF'FFFEull;
constexpr std::uint64_t kMaxAlign = std::uint64_t{1} << 31;

std::optional<Op> op_from_name(std::string_view name) {
  for (int i = 0; i < kOpCount; ++i)
    if (op_name(static_cast<Op>(i)) == name) return static_cast<Op>(i);
  return std::nullopt;
}

// One data line, checked field by field but not yet against the live set.
struct Row {
  std::uint64_t thread = 0;
  Op op = Op::Malloc;
  std::uint64_t label = 0;
  std::uint64_t size = 0;
  std::uint64_t align = 0;
  std::optional<std::uint64_t> old_label;
  std::uint64_t time = kNoTime;
};

class CsvReader final : public EventReader {
 public:
  CsvReader(std::unique_ptr<LineReader> lines, const ReadOptions& options)
      : lines_(std::move(lines)), options_(options) {
    info_.path = lines_->path();
    info_.format = Format::Csv;
  }

  std::size_t read(std::span<Event> out) override {
    std::size_t n = 0;
    while (n < out.size()) {
      if (!pending_.empty()) {
        out[n++] = pending_.back();
        pending_.pop_back();
      } else if (!next_line()) {
        break;
      }
    }
    return n;
  }
  const TraceInfo& info() const override { return info_; }
  ReadPosition position() const override { return position_of(lines_->source()); }
  const AnomalyReport& anomalies() const override { return report_; }

 private:
  bool next_line() {
    std::string_view text;
    if (!lines_->next(text)) return false;
    line_ = lines_->line_number();
    text_ = scan::trim(text);
    if (text_.empty() || text_ == kColumns) return true;
    if (text_.front() == '#') {
      check_magic();
      return true;
    }
    apply(parse_row());
    return true;
  }

  void check_magic() {
    if (!text_.starts_with(kMagic)) return;
    const std::string_view version = scan::trim(text_.substr(kMagic.size()));
    if (version != kVersion) fail(fmt::format("unsupported allocsim-csv version '{}' (this reader reads {})", version, kVersion));
  }

  Row parse_row() {
    std::array<std::string_view, kMaxFields> f{};
    int n = 0;
    std::string_view rest = text_;
    for (;;) {
      if (n == kMaxFields) fail(fmt::format("more than {} fields ({})", kMaxFields, kColumns));
      const std::size_t comma = rest.find(',');
      f[n++] = scan::trim(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (n < kMinFields) fail(fmt::format("expected at least thread,op,id; got {} field(s)", n));
    Row r;
    r.thread = number(f[0], "thread");
    if (r.thread > kMaxThread) fail(fmt::format("thread {} is out of range", r.thread));
    const std::optional<Op> op = op_from_name(f[1]);
    if (!op) fail(fmt::format("unknown op '{}' (malloc, calloc, realloc, memalign, free)", f[1]));
    r.op = *op;
    r.label = number(f[2], "id");
    if (r.op != Op::Free && f[3].empty()) fail(fmt::format("{} needs a size", f[1]));
    if (!f[3].empty()) r.size = number(f[3], "size");
    if (!f[4].empty()) r.align = number(f[4], "align");
    if (r.align > kMaxAlign || (r.align != 0 && !std::has_single_bit(r.align)))
      fail(fmt::format("align {} is not a power of two up to 2^31", r.align));
    if (!f[5].empty()) {
      if (r.op != Op::Realloc) fail("old_id is only allowed on realloc");
      r.old_label = number(f[5], "old_id");
    }
    if (!f[6].empty()) r.time = number(f[6], "time_ns");
    if (r.time == kNoTime && !f[6].empty()) fail("time_ns is out of range");
    return r;
  }

  std::uint64_t number(std::string_view field, std::string_view what) {
    std::uint64_t v = 0;
    switch (scan::parse_unsigned(field, 10, v)) {
      case scan::NumberStatus::Ok: return v;
      case scan::NumberStatus::Overflow: fail(fmt::format("{} '{}' is out of range", what, field));
      case scan::NumberStatus::Bad: break;
    }
    fail(fmt::format("{} '{}' is not a non-negative decimal number", what, field));
  }

  void apply(const Row& r) {
    if (r.time != kNoTime) {
      if (r.time < last_time_) fail(fmt::format("time_ns {} is earlier than the previous line's {}", r.time, last_time_));
      last_time_ = r.time;
      info_.has_time = true;
    }
    // Threads are numbered by their first event: a dropped line numbers none.
    Event e{.time = r.time, .size = r.size, .align = static_cast<std::uint32_t>(r.align), .op = r.op};
    if (r.op == Op::Free) {
      const std::optional<ObjectIds::Live> dead = ids_.die(r.label);
      if (!dead) return note(Anomaly::UnknownFree);
      e.id = dead->id;
      e.thread = thread_index(r.thread);
      return pending_.push_back(e);
    }
    if (r.old_label) {
      const std::optional<ObjectIds::Live> dead = ids_.die(*r.old_label);
      if (dead) {
        e.old_id = dead->id;
      } else {
        note(Anomaly::UnknownRealloc);  // read as realloc(NULL, n)
      }
    }
    e.thread = thread_index(r.thread);
    std::optional<ObjectIds::Live> ended;
    e.id = ids_.born(r.label, r.size, e.thread, &ended);
    pending_.push_back(e);  // read() takes from the back: the free below comes first
    if (ended) {
      note(Anomaly::LiveReuse);
      pending_.push_back(Event{.time = r.time, .id = ended->id, .thread = e.thread, .op = Op::Free});
    }
  }

  std::uint32_t thread_index(std::uint64_t label) {
    auto [index, inserted] = threads_.try_emplace(label, info_.threads);
    if (inserted) ++info_.threads;
    return *index;
  }

  void note(Anomaly a) {
    report_.add(a, line_, text_);
    if (options_.strict && anomaly_is_repair(a))
      throw TraceError::at_line(info_.path, line_, fmt::format("{} (strict): {}", anomaly_name(a), text_));
  }
  [[noreturn]] void fail(const std::string& reason) const { throw TraceError::at_line(info_.path, line_, reason); }

  std::unique_ptr<LineReader> lines_;
  ReadOptions options_;
  TraceInfo info_;
  AnomalyReport report_;
  ObjectIds ids_;
  FlatMap<std::uint64_t, std::uint32_t> threads_;  // label -> dense index
  std::vector<Event> pending_;                      // events of the current line, last first
  std::uint64_t last_time_ = 0;
  std::string_view text_;
  std::uint64_t line_ = 0;
};

// "0,malloc,..." : a decimal thread, then an op name, then a comma.
bool looks_like_row(std::string_view line) {
  std::string_view rest = line;
  const std::string_view thread = scan::trim(scan::next_field(rest, ','));
  std::uint64_t v = 0;
  if (scan::parse_unsigned(thread, 10, v) != scan::NumberStatus::Ok) return false;
  return op_from_name(scan::trim(scan::next_field(rest, ','))).has_value() && !rest.empty();
}

}  // namespace

bool looks_like_csv(std::string_view head) {
  while (!head.empty()) {
    const std::string_view line = scan::trim(scan::next_field(head, '\n'));
    if (line.starts_with(kMagic)) return true;
    if (line.empty() || line.front() == '#' || line == kColumns) continue;
    return looks_like_row(line);
  }
  return false;
}

std::unique_ptr<EventReader> make_csv_reader(std::unique_ptr<LineReader> lines, const ReadOptions& options) {
  return std::make_unique<CsvReader>(std::move(lines), options);
}

}  // namespace allocsim::traces
