#pragma once
// What the two heaptrack readers (raw and interpreted, file format v3 of
// heaptrack 1.4) share: the field syntax, the records both files carry
// (`v I c R X S A #`), the read loop, anomaly handling and TraceInfo.
//
// Syntax: one record a line, a type character, a space, then fields
// separated by single spaces: lowercase hex numbers without `0x`, and in
// format v3 sized strings `<hexlen> <bytes>` whose bytes may hold spaces.
// An empty line is a comment.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "traces/event_reader.hpp"
#include "traces/heaptrack_accounting.hpp"
#include "traces/input_stream.hpp"

namespace allocsim::traces {

// Largest size a heaptrack record may carry: nothing bigger fits in a
// 57-bit address space, and keeping sizes this small keeps byte sums exact.
inline constexpr std::uint64_t kMaxHeaptrackSize = std::uint64_t{1} << 56;

// Scans the fields after "<type> ". Each getter returns false and sets
// error() when the next field is missing or malformed.
class HeaptrackFields {
 public:
  explicit HeaptrackFields(std::string_view rest) : p_(rest.data()), end_(rest.data() + rest.size()) {}

  bool hex(std::uint64_t& value) {
    const char* p = p_;
    std::uint64_t v = 0;
    for (; p != end_; ++p) {
      const char c = *p;
      unsigned digit;
      if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
      else break;
      if (v >> 60) return fail("number does not fit in 64 bits");
      v = (v << 4) | digit;
    }
    if (p == p_) return fail(p == end_ ? "missing field" : "expected a lowercase hex number");
    if (p != end_ && *p++ != ' ') return fail("expected a lowercase hex number");
    p_ = p;
    value = v;
    return true;
  }
  bool sized_string(std::string_view& s);  // `<hexlen> <bytes>`
  bool token(std::string_view& s);         // up to the next space (format < 3)
  bool done() const { return p_ == end_; }
  std::string_view rest() const { return {p_, static_cast<std::size_t>(end_ - p_)}; }
  const char* error() const { return error_; }

 private:
  bool fail(const char* why) {
    error_ = why;
    return false;
  }
  const char* p_;
  const char* end_;
  const char* error_ = "";
};

class HeaptrackReaderBase : public EventReader {
 public:
  std::size_t read(std::span<Event> out) final;
  const TraceInfo& info() const final { return info_; }
  const AnomalyReport& anomalies() const final { return anomalies_; }
  std::optional<HeaptrackTotals> heaptrack_totals() const final { return tally_.totals(); }
  ReadPosition position() const final { return position_of(lines_->source()); }

 protected:
  HeaptrackReaderBase(std::unique_ptr<LineReader> lines, const ReadOptions& options, Format format);
  // One record of the concrete format (the shared ones are handled here).
  virtual void record(char type, HeaptrackFields& fields) = 0;
  // Events issued so far decide TraceInfo::threads at the end.
  virtual bool saw_events() const = 0;

  // Events wait for the next `c` tick, which dates them (heaptrack_common.cpp).
  void emit(const Event& e) {
    ++emitted_;
    held_.push_back(e);
  }
  // A repair: counted, sampled, and an error under --strict.
  void anomaly(Anomaly a, std::string_view reason);
  [[noreturn]] void bad_line(std::string_view reason) const;
  [[noreturn]] void unknown_record(char type) const;
  // Throws the field scanner's error unless `ok`.
  void expect(bool ok, const HeaptrackFields& f, std::string_view record) const {
    if (!ok) bad_field(f, record);
  }
  void expect_end(const HeaptrackFields& f, std::string_view record) const;
  std::uint64_t checked_size(std::uint64_t size) const;
  // A sized string in format v3, a plain token before.
  bool string_field(HeaptrackFields& f, std::string_view& s) const {
    return file_format_ >= 3 ? f.sized_string(s) : f.token(s);
  }

  HeaptrackTally tally_;
  const ReadOptions options_;

 private:
  bool common_record(char type, HeaptrackFields& f);
  void dispatch(std::string_view line);
  void finish();
  // Dates the held events evenly over [from_ns, to_ns) (or leaves them
  // undated) and makes them ready.
  void release(std::uint64_t from_ns, std::uint64_t to_ns, bool dated);
  void tick(std::uint64_t ms);
  [[noreturn]] void bad_field(const HeaptrackFields& f, std::string_view record) const;

  std::unique_ptr<LineReader> lines_;
  TraceInfo info_;
  AnomalyReport anomalies_;
  std::string_view line_;
  std::vector<Event> held_;   // parsed since the last tick
  std::vector<Event> ready_;  // dated, for the caller
  std::size_t ready_pos_ = 0;
  std::uint64_t file_format_ = 3;
  std::uint64_t emitted_ = 0;  // events so far: where an `R` record sits in the stream
  std::uint64_t max_rss_pages_ = 0;
  std::uint64_t last_ms_ = 0, tick_period_ms_ = 10;
  bool saw_time_ = false;
  bool undated_ = false;  // no tick in the first kMaxHeld events: the file is read without times
  bool done_ = false;
};

}  // namespace allocsim::traces
