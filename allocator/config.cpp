#include "allocator/config.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>

namespace allocsim::allocator {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }


void parse(std::string_view key, std::string_view text, std::uint64_t& out) {
  // Accepts plain integers and K/M/G suffixes (powers of 1024).
  std::string_view v = text;
  std::uint64_t scale = 1;
  if (!v.empty()) {
    switch (v.back()) {
      case 'k': case 'K': scale = 1ull << 10; break;
      case 'm': case 'M': scale = 1ull << 20; break;
      case 'g': case 'G': scale = 1ull << 30; break;
      default: break;
    }
    if (scale != 1) v.remove_suffix(1);
  }
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n > UINT64_MAX / scale)
    bad_knob_value(key, text, "a non-negative integer (optionally with K, M or G)");
  out = n * scale;
}

void parse(std::string_view key, std::string_view v, double& out) {
  std::string s(v);
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(out)) bad_knob_value(key, v, "a number");
}

void parse(std::string_view key, std::string_view v, bool& out) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") out = true;
  else if (v == "false" || v == "0" || v == "no" || v == "off") out = false;
  else bad_knob_value(key, v, "true or false");
}

void parse(std::string_view key, std::string_view v, ReleaseRule& out) {
  if (v == "no-demand") out = ReleaseRule::NoDemand;
  else if (v == "literal") out = ReleaseRule::Literal;
  else if (v == "always") out = ReleaseRule::Always;
  else if (v == "never") out = ReleaseRule::Never;
  else bad_knob_value(key, v, "no-demand, literal, always or never");
}

void parse(std::string_view key, std::string_view v, HashKind& out) {
  if (v == "xxh3") out = HashKind::Xxh3;
  else if (v == "boost") out = HashKind::Boost;
  else bad_knob_value(key, v, "xxh3 or boost");
}

void parse(std::string_view key, std::string_view v, FullRule& out) {
  if (v == "untouched") out = FullRule::Untouched;
  else if (v == "low-water") out = FullRule::LowWater;
  else bad_knob_value(key, v, "untouched or low-water");
}

void parse(std::string_view key, std::string_view v, Prefill& out) {
  if (v == "none") out = Prefill::None;
  else if (v == "small") out = Prefill::Small;
  else if (v == "all") out = Prefill::All;
  else bad_knob_value(key, v, "none, small or all");
}

std::string format(std::uint64_t v) { return std::to_string(v); }
std::string format(bool v) { return v ? "true" : "false"; }
std::string format(ReleaseRule v) { return std::string(to_string(v)); }
std::string format(HashKind v) { return std::string(to_string(v)); }
std::string format(FullRule v) { return std::string(to_string(v)); }
std::string format(Prefill v) { return std::string(to_string(v)); }
// The shortest text that reads back as v; to_chars, not a stream, so that
// reading a policy in a host process does not start up iostreams' locale
// machinery (RSS in every program, docs/preload.md).
std::string format(double v) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, v).ptr;
  return std::string(text, end);
}

bool is_power_of_two(std::uint64_t v) { return v && !(v & (v - 1)); }

void require(bool ok, std::string_view key, const std::string& value, std::string_view expected) {
  if (!ok) bad_knob_value(key, value, expected);
}

}  // namespace

std::string_view to_string(ReleaseRule r) {
  switch (r) {
    case ReleaseRule::NoDemand: return "no-demand";
    case ReleaseRule::Literal: return "literal";
    case ReleaseRule::Always: return "always";
    case ReleaseRule::Never: return "never";
  }
  return "?";
}

std::string_view to_string(HashKind h) { return h == HashKind::Xxh3 ? "xxh3" : "boost"; }

std::string_view to_string(FullRule r) { return r == FullRule::Untouched ? "untouched" : "low-water"; }

std::string_view to_string(Prefill p) {
  switch (p) {
    case Prefill::None: return "none";
    case Prefill::Small: return "small";
    case Prefill::All: return "all";
  }
  return "?";
}

const std::vector<KnobInfo>& knobs() {
  static const std::vector<KnobInfo> table = [] {
    const Config defaults;
    std::vector<KnobInfo> t;
#define ALLOCSIM_KNOB_INFO(type, name, def, meaning) t.push_back(KnobInfo{#name, #type, format(defaults.name), meaning});
    ALLOCSIM_KNOBS(ALLOCSIM_KNOB_INFO)
#undef ALLOCSIM_KNOB_INFO
    return t;
  }();
  return table;
}

void set_knob(Config& config, std::string_view key, std::string_view value) {
  value = trim_blanks(value);
#define ALLOCSIM_KNOB_SET(type, name, def, meaning) \
  if (key == #name) return parse(key, value, config.name);
  ALLOCSIM_KNOBS(ALLOCSIM_KNOB_SET)
#undef ALLOCSIM_KNOB_SET
  throw ConfigError("unknown knob " + quoted(key) + " (allocsim knobs lists them)");
}

std::string get_knob(const Config& config, std::string_view key) {
#define ALLOCSIM_KNOB_GET(type, name, def, meaning) \
  if (key == #name) return format(config.name);
  ALLOCSIM_KNOBS(ALLOCSIM_KNOB_GET)
#undef ALLOCSIM_KNOB_GET
  throw ConfigError("unknown knob " + quoted(key));
}

std::vector<std::pair<std::string, std::string>> knob_values(const Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
#define ALLOCSIM_KNOB_VALUE(type, name, def, meaning) out.emplace_back(#name, format(config.name));
  ALLOCSIM_KNOBS(ALLOCSIM_KNOB_VALUE)
#undef ALLOCSIM_KNOB_VALUE
  return out;
}

std::uint64_t parse_knob_integer(std::string_view key, std::string_view text) {
  std::uint64_t v = 0;
  parse(key, trim_blanks(text), v);
  return v;
}

double parse_knob_number(std::string_view key, std::string_view text) {
  double v = 0;
  parse(key, trim_blanks(text), v);
  return v;
}

[[noreturn]] void bad_knob_value(std::string_view key, std::string_view value, std::string_view expected) {
  throw ConfigError("bad value " + quoted(value) + " for knob " + quoted(key) + ": expected " + std::string(expected));
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The file is read with stdio rather than a stream for the reason given at
// format(double).
void for_each_config_line(const std::string& path, const std::function<void(std::string_view, std::string_view)>& set) {
  std::string text;
  {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!in) throw ConfigError(path + ": cannot open config file");
    char buffer[4096];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, in.get())) text.append(buffer, n);
    if (std::ferror(in.get())) throw ConfigError(path + ": cannot read config file");
  }
  std::string_view rest = text;
  for (int line_no = 1; !rest.empty(); ++line_no) {
    const auto newline = rest.find('\n');
    const std::string raw(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    std::string_view line = raw;
    if (auto c = line.find_first_of("#;"); c != std::string_view::npos) line = line.substr(0, c);
    line = trim_blanks(line);
    if (line.empty()) continue;
    const auto eq = line.find('=');
    const auto where = path + ":" + std::to_string(line_no) + ": ";
    if (eq == std::string_view::npos) throw ConfigError(where + "expected 'key = value', got '" + raw + "'");
    try {
      set(trim_blanks(line.substr(0, eq)), trim_blanks(line.substr(eq + 1)));
    } catch (const ConfigError& e) {
      throw ConfigError(where + e.what());
    }
  }
}

void apply_config_file(Config& config, const std::string& path) {
  for_each_config_line(path, [&](std::string_view key, std::string_view value) { set_knob(config, key, value); });
  try {
    config.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

void Config::validate() const {
  require(is_power_of_two(block_bytes) && block_bytes >= (64u << 10) && block_bytes <= (1ull << 34),
          "block_bytes", format(block_bytes), "a power of two from 64K to 16G");
  require(page_bytes % 16 == 0 && page_bytes >= small_limit && page_bytes <= block_bytes / 2,
          "page_bytes", format(page_bytes), "a multiple of 16, >= small_limit, <= block_bytes / 2");
  require(small_step % 16 == 0 && small_step > 0, "small_step", format(small_step), "a positive multiple of 16");
  require(small_limit % 16 == 0 && small_limit >= 32, "small_limit", format(small_limit), "a multiple of 16, >= 32");
  require(classes_per_doubling >= 1 && classes_per_doubling <= 16, "classes_per_doubling",
          format(classes_per_doubling), "1 to 16");
  require(thread_cache_slots <= 64, "thread_cache_slots", format(thread_cache_slots), "0 to 64");
  require(cache_batch <= 65, "cache_batch", format(cache_batch), "0 to 65");
  require(queue_max >= 1 && queue_max <= (1u << 24), "queue_max", format(queue_max), "1 to 16M");
  require(queue_initial <= queue_max, "queue_initial", format(queue_initial), "at most queue_max");
  require(queue_min <= queue_initial, "queue_min", format(queue_min), "at most queue_initial");
  require(reclaim_fraction > 0 && reclaim_fraction < 1, "reclaim_fraction", format(reclaim_fraction),
          "a fraction strictly between 0 and 1");
  require(step_budget >= 1, "step_budget", format(step_budget), "at least 1");
  require(adapt_interval_ns >= 1, "adapt_interval_ns", format(adapt_interval_ns), "at least 1");
}

}  // namespace allocsim::allocator
