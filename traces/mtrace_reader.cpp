// glibc mtrace log reader; the grammar is in mtrace_reader.hpp.
#include "traces/mtrace_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "traces/call_accounting.hpp"
#include "traces/object_ids.hpp"
#include "traces/scan_number.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

struct Record {
  char op = 0;  // + - < > !
  std::uint64_t ptr = 0;
  std::uint64_t size = 0;
  bool has_caller = false;
};

// The last space-separated token of s, removed from s.
std::string_view pop_token(std::string_view& s) {
  s = scan::trim(s);
  const std::size_t space = s.rfind(' ');
  const std::string_view token = space == std::string_view::npos ? s : s.substr(space + 1);
  s = space == std::string_view::npos ? std::string_view{} : s.substr(0, space);
  return token;
}

bool is_op(std::string_view token, std::string_view ops) {
  return token.size() == 1 && ops.find(token[0]) != std::string_view::npos;
}

std::string parse_pointer(std::string_view text, std::uint64_t& out) {
  if (text == "(nil)") {
    out = 0;
    return {};
  }
  if (text.size() > 2 && text[0] == '0' && text[1] == 'x') {
    const auto st = scan::parse_unsigned(text.substr(2), 16, out);
    if (st == scan::NumberStatus::Ok) return {};
    if (st == scan::NumberStatus::Overflow) return fmt::format("pointer '{}' is out of range", text);
  }
  return fmt::format("'{}' is not a pointer", text);
}

std::string parse_size(std::string_view text, std::uint64_t& out) {
  const auto st = scan::parse_c_number(text, out);
  if (st == scan::NumberStatus::Ok) return {};
  return fmt::format("size '{}' is {}", text, st == scan::NumberStatus::Overflow ? "out of range" : "not a number");
}

// Reads "[@ caller ]op ptr[ size]" from its end. Returns an error message.
std::string parse_record(std::string_view line, Record& out) {
  std::string_view rest = line;
  const std::string_view last = pop_token(rest);
  const std::string_view middle = pop_token(rest);
  std::string_view before = rest;
  const std::string_view first = pop_token(before);
  std::string err;
  if (is_op(first, "+>!")) {
    out.op = first[0];
    rest = before;
    err = parse_pointer(middle, out.ptr);
    if (err.empty()) err = parse_size(last, out.size);
  } else if (is_op(middle, "-<")) {
    out.op = middle[0];
    err = parse_pointer(last, out.ptr);
  } else {
    return "not an mtrace record";
  }
  if (!err.empty()) return err;
  rest = scan::trim(rest);
  out.has_caller = !rest.empty();
  // glibc prints the caller as "@ file:(sym+off)[addr]" or "@ [addr]".
  if (out.has_caller && (rest.substr(0, 2) != "@ " || rest.back() != ']'))
    return fmt::format("'{}' is not a caller", rest.substr(0, 80));
  return {};
}

class MtraceReader final : public EventReader {
 public:
  MtraceReader(std::unique_ptr<LineReader> lines, const ReadOptions& options)
      : lines_(std::move(lines)), options_(options) {
    info_.path = lines_->path();
    info_.format = Format::Mtrace;
    calls_.realloc_pairs = 0;  // mtrace logs a moving realloc as a pair of records
  }

  std::size_t read(std::span<Event> out) override {
    std::size_t n = 0;
    while (n < out.size()) {
      if (!pending_.empty()) {
        out[n++] = pending_.back();
        pending_.pop_back();
        continue;
      }
      if (!next_line()) break;
    }
    return n;
  }
  const TraceInfo& info() const override { return info_; }
  const AnomalyReport& anomalies() const override { return report_; }
  std::optional<CallCounts> calls() const override { return calls_; }
  ReadPosition position() const override { return position_of(lines_->source()); }

 private:
  bool next_line() {
    if (done_) return false;
    std::string_view text;
    if (!lines_->next(text)) {
      done_ = true;
      if (realloc_line_) note(Anomaly::Truncated, realloc_line_, "'<' without its '>' at the end of the input");
      return false;
    }
    line_ = lines_->line_number();
    text_ = scan::trim(text);
    if (text_.empty()) return true;
    if (text_.substr(0, 2) == "= ") {
      if (text_ != "= Start" && text_ != "= End") fail(fmt::format("unknown marker '{}'", text_));
      return true;
    }
    Record r;
    if (std::string err = parse_record(text_, r); !err.empty()) fail(err);
    apply(r);
    return true;
  }

  void apply(const Record& r) {
    if (realloc_line_ && r.op != '>') fail("'<' line not followed by its '>' line");
    count(r);
    switch (r.op) {
      case '+': return allocate(Op::Malloc, r.ptr, r.size, kNoObject);
      case '-': return free(r.ptr);
      case '!': return note(Anomaly::FailedAlloc);  // the old block stays live
      case '<': return begin_realloc(r.ptr);
      case '>': return end_realloc(r.ptr, r.size);
    }
  }

  // Records as the recording counts them (traces/call_accounting.hpp).
  void count(const Record& r) {
    std::uint64_t& allocs = r.ptr != 0 ? calls_.alloc_calls : calls_.failed_allocs;
    switch (r.op) {
      case '+': ++allocs; return;
      case '>':
        ++*calls_.realloc_pairs;
        ++allocs;
        return;
      case '!': ++calls_.failed_allocs; return;  // a realloc that failed
      case '-':
        ++calls_.free_calls;
        if (r.ptr == 0) ++calls_.null_frees;
        return;
      case '<': ++calls_.free_calls; return;
    }
  }

  void free(std::uint64_t ptr) {
    if (ptr == 0) return note(Anomaly::NullFree);
    const std::optional<ObjectIds::Live> dead = ids_.die(ptr);
    if (!dead) return note(Anomaly::UnknownFree);
    emit(Event{.id = dead->id, .op = Op::Free});
  }

  void begin_realloc(std::uint64_t ptr) {
    realloc_line_ = line_;
    realloc_old_ = kNoObject;
    if (const std::optional<ObjectIds::Live> dead = ids_.die(ptr)) {
      realloc_old_ = dead->id;
    } else {
      note(Anomaly::UnknownRealloc);  // read as realloc(NULL, n)
    }
  }

  void end_realloc(std::uint64_t ptr, std::uint64_t size) {
    if (!realloc_line_) fail("'>' line without a preceding '<' line");
    realloc_line_ = 0;
    allocate(Op::Realloc, ptr, size, realloc_old_);
  }

  void allocate(Op op, std::uint64_t ptr, std::uint64_t size, std::uint64_t old_id) {
    if (ptr == 0) return note(Anomaly::FailedAlloc);
    std::optional<ObjectIds::Live> ended;
    const std::uint64_t id = ids_.born(ptr, size, 0, &ended);
    // Pushed in reverse: read() takes from the back.
    emit(Event{.id = id, .old_id = old_id, .size = size, .op = op});
    if (ended) {
      note(Anomaly::LiveReuse);
      emit(Event{.id = ended->id, .op = Op::Free});
    }
  }

  void emit(const Event& e) {
    info_.threads = 1;
    pending_.push_back(e);
  }

  void note(Anomaly a) { note(a, line_, text_); }
  void note(Anomaly a, std::uint64_t line, std::string_view text) {
    report_.add(a, line, text);
    if (options_.strict && anomaly_is_repair(a))
      throw TraceError::at_line(info_.path, line, fmt::format("{} (strict): {}", anomaly_name(a), text));
  }
  [[noreturn]] void fail(const std::string& reason) const { throw TraceError::at_line(info_.path, line_, reason); }

  std::unique_ptr<LineReader> lines_;
  ReadOptions options_;
  TraceInfo info_;
  AnomalyReport report_;
  CallCounts calls_;
  ObjectIds ids_;
  std::vector<Event> pending_;  // events of the current line, last first
  std::uint64_t realloc_line_ = 0;  // line of an open '<', 0 when none
  std::uint64_t realloc_old_ = kNoObject;
  std::string_view text_;
  std::uint64_t line_ = 0;
  bool done_ = false;
};

}  // namespace

bool looks_like_mtrace(std::string_view head) {
  while (!head.empty()) {
    const std::string_view line = scan::trim(scan::next_field(head, '\n'));
    if (line.empty()) continue;
    if (line == "= Start") return true;
    Record r;
    return line.substr(0, 2) == "@ " && parse_record(line, r).empty();
  }
  return false;
}

std::unique_ptr<EventReader> make_mtrace_reader(std::unique_ptr<LineReader> lines, const ReadOptions& options) {
  return std::make_unique<MtraceReader>(std::move(lines), options);
}

}  // namespace allocsim::traces
