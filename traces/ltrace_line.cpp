// Line shapes of ltrace 0.7.x output; the grammar is in ltrace_line.hpp.
// Hot path of the ltrace reader: string_view scanning only.
#include "traces/ltrace_line.hpp"

#include "traces/scan_number.hpp"

namespace allocsim::traces {
namespace {

using scan::is_digit;

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Leading decimal digits of s as a number (up to 19 digits); `n` gets how many.
std::uint64_t leading_digits(std::string_view s, std::size_t& n) {
  std::uint64_t v = 0;
  n = 0;
  while (n < s.size() && n < 19 && is_digit(s[n])) v = v * 10 + static_cast<unsigned>(s[n++] - '0');
  return v;
}

// ".417238" -> nanoseconds; false unless 1..9 digits fill the whole text.
bool parse_fraction(std::string_view digits, std::uint64_t& ns) {
  if (digits.empty() || digits.size() > 9) return false;
  std::size_t n = 0;
  std::uint64_t v = leading_digits(digits, n);
  if (n != digits.size()) return false;
  for (std::size_t i = n; i < 9; ++i) v *= 10;
  ns = v;
  return true;
}

// "[pid 15236] " or "15238 "; leaves `s` after it.
void take_prefix(std::string_view& s, LtraceLine& out) {
  std::size_t n = 0;
  if (starts_with(s, "[pid ")) {
    const std::uint64_t pid = leading_digits(s.substr(5), n);
    if (n == 0 || s.substr(5 + n, 2) != "] ") return;
    out.has_pid = true;
    out.pid = pid;
    s.remove_prefix(5 + n + 2);
    return;
  }
  const std::uint64_t pid = leading_digits(s, n);
  if (n == 0 || n >= s.size() || s[n] != ' ') return;
  out.has_pid = true;
  out.pid = pid;
  s.remove_prefix(n + 1);
}

void take_clock(std::string_view& s, LtraceLine& out) {
  if (s.empty() || !is_digit(s[0])) return;
  const std::size_t space = s.find(' ');
  if (space == std::string_view::npos) return;
  if (parse_ltrace_clock(s.substr(0, space), out.clock)) s.remove_prefix(space + 1);
}

// Strips the -T suffix " <0.000115>".
void drop_duration(std::string_view& s) {
  if (s.empty() || s.back() != '>') return;
  const std::size_t open = s.rfind('<');
  if (open == std::string_view::npos || open == 0 || s[open - 1] != ' ') return;
  const std::string_view inner = s.substr(open + 1, s.size() - open - 2);
  const std::size_t dot = inner.find('.');
  if (dot == 0 || dot == std::string_view::npos) return;
  for (std::size_t i = 0; i < inner.size(); ++i)
    if (i != dot && !is_digit(inner[i])) return;
  s = s.substr(0, open - 1);
}

// After the '(' (or after "resumed>"): "args) = ret" or "args <unfinished ...>".
bool take_call_tail(std::string_view tail, LtraceLine& out) {
  for (std::string_view marker : {std::string_view("<unfinished ...>"), std::string_view("<no return ...>")}) {
    if (ends_with(tail, marker)) {
      out.split = true;
      out.args = scan::trim(tail.substr(0, tail.size() - marker.size()));
      return true;
    }
  }
  const std::size_t eq = tail.rfind(" = ");
  if (eq == std::string_view::npos) return false;
  const std::string_view before = scan::trim(tail.substr(0, eq));
  if (before.empty() || before.back() != ')') return false;
  out.args = scan::trim(before.substr(0, before.size() - 1));
  out.ret = scan::trim(tail.substr(eq + 3));
  return !out.ret.empty();
}

// "caller->fn(" or "fn@lib(" or "fn(".
bool take_call(std::string_view body, LtraceLine& out) {
  const std::size_t paren = body.find('(');
  if (paren == 0 || paren == std::string_view::npos) return false;
  std::string_view name = body.substr(0, paren);
  if (name.find(' ') != std::string_view::npos) return false;
  if (const std::size_t arrow = name.rfind("->"); arrow != std::string_view::npos) {
    out.caller = name.substr(0, arrow);
    name = name.substr(arrow + 2);
  } else if (const std::size_t at = name.find('@'); at != std::string_view::npos) {
    name = name.substr(0, at);
  }
  if (name.empty()) return false;
  out.function = name;
  out.kind = LtraceLine::Kind::Call;
  return take_call_tail(body.substr(paren + 1), out);
}

// "<... fn resumed> rest".
bool take_resumed(std::string_view body, LtraceLine& out) {
  constexpr std::string_view kResumed = " resumed>";
  const std::size_t end = body.find(kResumed);
  if (end == std::string_view::npos || end <= 5) return false;
  out.function = body.substr(5, end - 5);
  out.kind = LtraceLine::Kind::Resumed;
  return take_call_tail(body.substr(end + kResumed.size()), out);
}

}  // namespace

bool parse_ltrace_clock(std::string_view token, LtraceClock& out) {
  std::size_t n = 0;
  if (token.size() >= 8 && token[2] == ':' && token[5] == ':') {  // HH:MM:SS[.ffffff]
    const std::uint64_t h = leading_digits(token.substr(0, 2), n);
    if (n != 2) return false;
    const std::uint64_t m = leading_digits(token.substr(3, 2), n);
    if (n != 2) return false;
    const std::uint64_t sec = leading_digits(token.substr(6, 2), n);
    if (n != 2 || h > 23 || m > 59 || sec > 60) return false;
    std::uint64_t frac = 0;
    if (token.size() > 8 && (token[8] != '.' || !parse_fraction(token.substr(9), frac))) return false;
    out = {LtraceClock::Kind::TimeOfDay, ((h * 60 + m) * 60 + sec) * kNsPerSecond + frac};
    return true;
  }
  const std::uint64_t sec = leading_digits(token, n);
  std::uint64_t frac = 0;
  if (n == 0 || n >= token.size() || token[n] != '.' || !parse_fraction(token.substr(n + 1), frac)) return false;
  if (sec > (~std::uint64_t{0} - frac) / kNsPerSecond) return false;
  out = {LtraceClock::Kind::Epoch, sec * kNsPerSecond + frac};
  return true;
}

LtraceLine parse_ltrace_line(std::string_view line) {
  LtraceLine out;
  std::string_view s = line;
  take_prefix(s, out);
  take_clock(s, out);
  drop_duration(s);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);  // -n indentation

  bool ok = false;
  if (starts_with(s, "+++ ")) {
    ok = starts_with(s, "+++ exited") || starts_with(s, "+++ killed");
    if (ok) out.kind = LtraceLine::Kind::ProcessEnd;
  } else if (starts_with(s, "<... ")) {
    ok = take_resumed(s, out);
  } else if (!s.empty() && !starts_with(s, "--- ")) {
    ok = take_call(s, out);
  }
  if (!ok) {
    const LtraceLine keep = out;
    out = LtraceLine{};
    out.has_pid = keep.has_pid;
    out.pid = keep.pid;
    out.clock = keep.clock;
  }
  return out;
}

}  // namespace allocsim::traces
