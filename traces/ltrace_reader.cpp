// The call-matching state machine of the ltrace reader: per-pid stacks of
// pending (split) calls, outermost-call filtering, and the address ->
// object-id bookkeeping. Rules: traces/ltrace_reader.hpp; line shapes:
// traces/ltrace_line.hpp.
#include "traces/ltrace_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "traces/flat_map.hpp"
#include "traces/ltrace_line.hpp"
#include "traces/object_ids.hpp"
#include "traces/scan_number.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

constexpr std::uint64_t kDayNs = 24ull * 3600 * 1'000'000'000;
constexpr std::uint64_t kNoPid = ~std::uint64_t{0} - 1;  // lines without a pid prefix
constexpr std::uint32_t kUnassigned = ~std::uint32_t{0};
constexpr std::size_t kSniffLines = 64;

// Line clocks -> ns since the first event. -t/-tt print the local time of
// day: a jump back by more than half a day is midnight. The clock never runs
// backwards, so replay sees non-decreasing times.
class Clock {
 public:
  void observe(const LtraceClock& c) {
    have_ = c.kind != LtraceClock::Kind::None;
    if (!have_) return;
    std::uint64_t abs = c.ns;
    if (c.kind == LtraceClock::Kind::TimeOfDay) {
      if (seen_time_of_day_ && c.ns + kDayNs / 2 < last_time_of_day_) ++days_;
      seen_time_of_day_ = true;
      last_time_of_day_ = c.ns;
      abs = c.ns + days_ * kDayNs;
    }
    now_ = std::max(now_, abs);
  }
  // The current line's time relative to the first event.
  std::uint64_t event_time() {
    if (!have_) return kNoTime;
    if (!based_) base_ = now_, based_ = true;
    return now_ - base_;
  }

 private:
  bool have_ = false, based_ = false, seen_time_of_day_ = false;
  std::uint64_t now_ = 0, base_ = 0, last_time_of_day_ = 0, days_ = 0;
};

struct Pending {
  enum class Kind : std::uint8_t { Outer, Nested, Foreign };
  Pending(Kind k, std::optional<AllocFn> f, std::uint64_t entry_line, std::string name = {})
      : kind(k), fn(f), foreign_name(std::move(name)), line(entry_line) {}

  Kind kind = Kind::Outer;
  std::optional<AllocFn> fn;  // Foreign calls of untraced functions have none
  std::string foreign_name;   // ... and are matched to their resumed line by name
  std::uint64_t line = 0;
  CallArgs args;
  // realloc: the object whose death was applied at the entry line.
  bool has_old = false;
  std::uint64_t old_addr = 0;
  ObjectIds::Live old{};
};

struct PidState {
  std::vector<Pending> stack;
  // Dense thread index, given at the pid's first event so that the stream
  // numbers threads in order of first appearance.
  std::uint32_t thread = kUnassigned;
};

class LtraceReaderImpl final : public LtraceReader {
 public:
  LtraceReaderImpl(std::unique_ptr<LineReader> lines, const ReadOptions& options)
      : lines_(std::move(lines)), options_(options) {
    info_.path = lines_->path();
    info_.format = Format::Ltrace;
  }

  std::size_t read(std::span<Event> out) override {
    std::size_t n = 0;
    while (n < out.size()) {
      if (head_ == queue_.size()) {
        queue_.clear();
        head_ = 0;
        if (!next_line()) break;
        continue;
      }
      const std::size_t take = std::min(out.size() - n, queue_.size() - head_);
      std::copy_n(queue_.begin() + static_cast<std::ptrdiff_t>(head_), take, out.begin() + static_cast<std::ptrdiff_t>(n));
      head_ += take;
      n += take;
    }
    return n;
  }
  const TraceInfo& info() const override { return info_; }
  const AnomalyReport& anomalies() const override { return report_; }
  const LtraceCallCounts& ltrace_calls() const override { return calls_; }
  ReadPosition position() const override { return position_of(lines_->source()); }

 private:
  bool next_line() {
    if (done_) return false;
    if (!lines_->next(text_)) {
      end_of_input();
      return false;
    }
    line_ = lines_->line_number();
    process(parse_ltrace_line(text_));
    return true;
  }

  void process(const LtraceLine& l) {
    switch (l.kind) {
      case LtraceLine::Kind::Other:
        if (!first_other_line_ && !scan::trim(text_).empty()) remember_first_other();
        note(Anomaly::IgnoredLine);
        return;
      case LtraceLine::Kind::ProcessEnd:
        recognised_ = true;
        abandon(pids_[pid_slot(l)], 0);
        note(Anomaly::IgnoredLine);
        return;
      case LtraceLine::Kind::Call: recognised_ = true; clock_.observe(l.clock); on_call(l); return;
      case LtraceLine::Kind::Resumed: recognised_ = true; clock_.observe(l.clock); on_resumed(l); return;
    }
  }

  void on_call(const LtraceLine& l) {
    const std::uint32_t slot = pid_slot(l);
    PidState& s = pids_[slot];
    const std::optional<AllocFn> fn = alloc_fn_from_name(l.function);
    // PLT mode prints calls made inside libc as `libc.so.6->realloc(...)`
    // with bogus arguments: not real calls of the program.
    if (!fn || l.caller.starts_with("libc.so.")) {
      note(Anomaly::IgnoredLine);
      if (l.split) s.stack.emplace_back(Pending::Kind::Foreign, fn, line_, fn ? std::string{} : std::string(l.function));
      return;
    }
    if (inside_traced_call(s)) {
      note(Anomaly::NestedCall);
      if (l.split) s.stack.emplace_back(Pending::Kind::Nested, fn, line_);
      return;
    }
    Pending p(Pending::Kind::Outer, fn, line_);
    ++calls_.outermost[static_cast<int>(*fn)];
    add_args(p, l.args);
    enter(p, slot, l.split);
    if (l.split) {
      s.stack.push_back(std::move(p));
    } else {
      finish(p, slot, l.ret);
    }
  }

  void on_resumed(const LtraceLine& l) {
    const std::uint32_t slot = pid_slot(l);
    PidState& s = pids_[slot];
    const std::optional<AllocFn> fn = alloc_fn_from_name(l.function);
    std::size_t at = s.stack.size();
    while (at > 0 && !matches(s.stack[at - 1], fn, l.function)) --at;
    if (at == 0) {
      note(fn ? Anomaly::UnmatchedResume : Anomaly::IgnoredLine);
      return;
    }
    abandon(s, at);  // calls above it never returned
    Pending p = std::move(s.stack.back());
    s.stack.pop_back();
    if (p.kind == Pending::Kind::Foreign) note(Anomaly::IgnoredLine);
    if (p.kind != Pending::Kind::Outer) return;  // a nested call was reported at its entry
    add_args(p, l.args);
    if (l.split) {
      s.stack.push_back(std::move(p));
    } else {
      finish(p, slot, l.ret);
    }
  }

  static bool matches(const Pending& p, std::optional<AllocFn> fn, std::string_view name) {
    return fn ? p.fn == fn : (!p.fn && p.foreign_name == name);
  }

  static bool inside_traced_call(const PidState& s) {
    return std::any_of(s.stack.begin(), s.stack.end(), [](const Pending& p) { return p.kind != Pending::Kind::Foreign; });
  }

  // Drops the calls at stack positions >= from: they will never return.
  void abandon(PidState& s, std::size_t from) {
    for (std::size_t i = from; i < s.stack.size(); ++i) {
      const Pending& p = s.stack[i];
      if (p.kind != Pending::Kind::Outer) continue;
      if (p.has_old) clear_dying(p.old_addr, p.old.id);  // the realloc never happened: p stays live
      note_at(Anomaly::Unfinished, p.line, fmt::format("{} call never returned", alloc_fn_name(*p.fn)));
    }
    s.stack.erase(s.stack.begin() + static_cast<std::ptrdiff_t>(std::min(from, s.stack.size())), s.stack.end());
  }

  void add_args(Pending& p, std::string_view text) {
    if (std::string err = append_call_args(text, p.args); !err.empty()) fail(fmt::format("{}: {}", alloc_fn_name(*p.fn), err));
  }

  // Effects applied at the entry line: free and realloc's old pointer.
  void enter(Pending& p, std::uint32_t slot, bool split) {
    const AllocFn fn = *p.fn;
    if (fn != AllocFn::Free && fn != AllocFn::Realloc && fn != AllocFn::Reallocarray) return;
    if (p.args.n == 0) fail(fmt::format("{} shows no pointer argument", alloc_fn_name(fn)));
    const std::uint64_t ptr = p.args.v[0];
    if (fn == AllocFn::Free) {
      if (ptr == 0) {
        ++calls_.null_frees;
        return note(Anomaly::NullFree);
      }
      const ObjectIds::Live* live = live_object(ptr);
      if (!live) return note(Anomaly::UnknownFree);
      const std::uint64_t id = live->id;
      ids_.die(ptr);
      emit(Event{.time = clock_.event_time(), .id = id, .thread = slot, .op = Op::Free});
      return;
    }
    if (ptr == 0) return;
    const ObjectIds::Live* live = live_object(ptr);
    if (!live) return note(Anomaly::UnknownRealloc);
    p.has_old = true;
    p.old_addr = ptr;
    p.old = *live;
    // Until the realloc returns, ptr counts as freed (another thread may be
    // handed the same address), but its death is emitted with the realloc.
    if (split) dying_.emplace_back(ptr, live->id);
  }

  void finish(Pending& p, std::uint32_t slot, std::string_view ret_text) {
    if (*p.fn == AllocFn::Free) return;
    AllocRequest req;
    if (std::string err = decode_request(*p.fn, p.args, req); !err.empty()) fail(err);
    std::uint64_t ret = 0;
    if (!parse_return_value(ret_text, ret))
      fail(fmt::format("{} returned '{}', not a number", alloc_fn_name(*p.fn), ret_text));
    if (req.op == Op::Realloc) return finish_realloc(p, req, ret, slot);
    if (*p.fn == AllocFn::PosixMemalign) {
      if (ret != 0) return failed_call();  // an errno value
      ret = req.result_ptr;
    }
    allocate(req, ret, slot, kNoObject);
  }

  void finish_realloc(const Pending& p, const AllocRequest& req, std::uint64_t ret, std::uint32_t slot) {
    if (p.has_old) clear_dying(p.old_addr, p.old.id);
    if (ret == 0 && req.size == 0 && req.old_ptr != 0) {  // glibc's realloc(p, 0): frees p
      if (!p.has_old) return;                            // p was unknown (reported at entry)
      end_old(p);
      ++calls_.realloc_freed;
      emit(Event{.time = clock_.event_time(), .id = p.old.id, .thread = slot, .op = Op::Free});
      return;
    }
    if (ret == 0) return failed_call();  // the old block stays live
    if (p.has_old) end_old(p);
    allocate(req, ret, slot, p.has_old ? p.old.id : kNoObject);
  }

  // Removes the realloc's old object from the address map, unless another
  // allocation has taken the address over meanwhile.
  void end_old(const Pending& p) {
    const ObjectIds::Live* now = ids_.find(p.old_addr);
    if (now && now->id == p.old.id) ids_.die(p.old_addr);
  }

  void allocate(const AllocRequest& req, std::uint64_t addr, std::uint32_t slot, std::uint64_t old_id) {
    if (addr == 0) return failed_call();
    const std::uint64_t time = clock_.event_time();
    std::optional<ObjectIds::Live> ended;
    const std::uint64_t id = ids_.born(addr, req.size, slot, &ended);
    if (ended && !is_dying(addr, ended->id)) {
      note(Anomaly::LiveReuse);
      emit(Event{.time = time, .id = ended->id, .thread = slot, .op = Op::Free});
    }
    emit(Event{.time = time, .id = id, .old_id = old_id, .size = req.size, .thread = slot, .align = req.align, .op = req.op});
  }

  // The live object at addr, unless a pending realloc has already freed it.
  const ObjectIds::Live* live_object(std::uint64_t addr) const {
    const ObjectIds::Live* live = ids_.find(addr);
    return live && !is_dying(addr, live->id) ? live : nullptr;
  }
  bool is_dying(std::uint64_t addr, std::uint64_t id) const {
    return std::find(dying_.begin(), dying_.end(), std::pair{addr, id}) != dying_.end();
  }
  void clear_dying(std::uint64_t addr, std::uint64_t id) { std::erase(dying_, std::pair{addr, id}); }

  std::uint32_t pid_slot(const LtraceLine& l) {
    const std::uint64_t pid = l.has_pid ? l.pid : kNoPid;
    if (pid == last_pid_) return last_slot_;
    auto [slot, inserted] = pid_slots_.try_emplace(pid, static_cast<std::uint32_t>(pids_.size()));
    if (inserted) pids_.emplace_back();
    last_pid_ = pid;
    last_slot_ = *slot;
    return *slot;
  }

  // `e.thread` holds the pid's slot until here.
  void emit(Event e) {
    std::uint32_t& thread = pids_[e.thread].thread;
    if (thread == kUnassigned) thread = info_.threads++;
    e.thread = thread;
    if (e.time != kNoTime) info_.has_time = true;
    queue_.push_back(e);
  }

  void remember_first_other() {
    first_other_line_ = line_;
    first_other_text_ = text_.substr(0, 80);
    for (char& c : first_other_text_)
      if (c < 0x20 || c == 0x7f) c = '?';  // random bytes stay readable in the message
  }

  void end_of_input() {
    done_ = true;
    // Every other reader stops at its first bad line; this one skips what is
    // not a call, since ltrace logs carry noise. A file with nothing but
    // noise is not an ltrace log (random bytes, a README, another format).
    if (!recognised_ && first_other_line_)
      throw TraceError::at_line(info_.path, first_other_line_,
                                fmt::format("no line of the file is ltrace output; the first is '{}'", first_other_text_));
    for (PidState& s : pids_) abandon(s, 0);
  }

  void failed_call() {
    ++calls_.failed;
    note(Anomaly::FailedAlloc);
  }

  void note(Anomaly a) { note_at(a, line_, text_); }
  void note_at(Anomaly a, std::uint64_t line, std::string_view text) {
    report_.add(a, line, text);
    if (options_.strict && anomaly_is_repair(a))
      throw TraceError::at_line(info_.path, line, fmt::format("{} (strict): {}", anomaly_name(a), text));
  }
  [[noreturn]] void fail(const std::string& reason) const { throw TraceError::at_line(info_.path, line_, reason); }

  std::unique_ptr<LineReader> lines_;
  ReadOptions options_;
  TraceInfo info_;
  AnomalyReport report_;
  LtraceCallCounts calls_;
  ObjectIds ids_;
  Clock clock_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> dying_;  // (address, id) of pending reallocs
  FlatMap<std::uint64_t, std::uint32_t> pid_slots_;
  std::vector<PidState> pids_;
  std::uint64_t last_pid_ = ~std::uint64_t{0};  // FlatMap's empty key: never a real pid
  std::uint32_t last_slot_ = 0;
  std::vector<Event> queue_;
  std::size_t head_ = 0;
  std::string_view text_;
  std::uint64_t line_ = 0;
  bool done_ = false;
  bool recognised_ = false;              // a call, resumed or process-end line was seen
  std::uint64_t first_other_line_ = 0;   // the first non-blank line that was none of those
  std::string first_other_text_;
};

}  // namespace

std::uint64_t LtraceCallCounts::alloc_calls() const {
  std::uint64_t n = 0;
  for (int i = 0; i < kAllocFnCount; ++i)
    if (static_cast<AllocFn>(i) != AllocFn::Free) n += outermost[i];
  return n;
}

CallCounts LtraceCallCounts::summary() const {
  CallCounts c;
  c.alloc_calls = alloc_calls();
  for (int i = 0; i < kAllocFnCount; ++i) {
    const auto fn = static_cast<AllocFn>(i);
    if (fn != AllocFn::Free && outermost[i] != 0) c.alloc_calls_by_function.emplace_back(alloc_fn_name(fn), outermost[i]);
  }
  c.free_calls = of(AllocFn::Free);
  c.null_frees = null_frees;
  c.failed_allocs = failed;
  return c;
}

bool looks_like_ltrace(std::string_view head) {
  for (std::size_t i = 0; i < kSniffLines && !head.empty(); ++i) {
    const LtraceLine l = parse_ltrace_line(scan::trim(scan::next_field(head, '\n')));
    const bool call = l.kind == LtraceLine::Kind::Call || l.kind == LtraceLine::Kind::Resumed;
    if (call && alloc_fn_from_name(l.function)) return true;
  }
  return false;
}

std::unique_ptr<EventReader> make_ltrace_reader(std::unique_ptr<LineReader> lines, const ReadOptions& options) {
  return std::make_unique<LtraceReaderImpl>(std::move(lines), options);
}

}  // namespace allocsim::traces
