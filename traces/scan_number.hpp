#pragma once
// Number and field scanning shared by the text readers (ltrace, mtrace,
// CSV): std::from_chars over string_views, no locale, no allocation, and
// an explicit failure for overflow instead of a wrapped value.
#include <charconv>
#include <cstdint>
#include <string_view>

namespace allocsim::traces::scan {

enum class NumberStatus { Ok, Bad, Overflow };

// The whole of `text` as an unsigned number in `base`; nothing else allowed.
inline NumberStatus parse_unsigned(std::string_view text, int base, std::uint64_t& out) {
  if (text.empty()) return NumberStatus::Bad;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out, base);
  if (ec == std::errc::result_out_of_range) return NumberStatus::Overflow;
  if (ec != std::errc() || ptr != end) return NumberStatus::Bad;
  return NumberStatus::Ok;
}

// `0x`-prefixed hex or plain decimal, as ltrace prints sizes and pointers.
inline NumberStatus parse_c_number(std::string_view text, std::uint64_t& out) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    return parse_unsigned(text.substr(2), 16, out);
  return parse_unsigned(text, 10, out);
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Splits off the text before the first `sep` (all of `s` when absent).
inline std::string_view next_field(std::string_view& s, char sep) {
  const std::size_t at = s.find(sep);
  const std::string_view field = s.substr(0, at);
  s = at == std::string_view::npos ? std::string_view{} : s.substr(at + 1);
  return field;
}

}  // namespace allocsim::traces::scan
