#include "sim/config/run_config.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "allocator/policy.hpp"
#include "sim/config/knobs.hpp"

namespace allocsim::sim {
namespace {

using allocator::ConfigError;

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

// Numbers read as the allocator's knobs do (K, M and G suffixes): one syntax.
void parse(std::string_view key, std::string_view v, std::uint64_t& out) { out = allocator::parse_knob_integer(key, v); }
void parse(std::string_view key, std::string_view v, double& out) { out = allocator::parse_knob_number(key, v); }

void parse(std::string_view key, std::string_view v, Touch& out) {
  const auto touch = parse_kind<Touch>(v);
  if (!touch) allocator::bad_knob_value(key, v, kind_choices<Touch>());
  out = *touch;
}

std::string format(std::uint64_t v) { return std::to_string(v); }
std::string format(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}
std::string format(Touch t) { return std::string(to_string(t)); }

// An INI file of knobs in allocator/config.hpp's syntax ('#' and ';' start
// comments, `key = value` lines), applied through `set`, then checked by
// `validate`. Its own loop rather than allocator::for_each_config_line,
// which tells `set` no line numbers: a key set twice is refused with both
// lines, and a knob the range check refuses is traced to its line.
void apply_ini(const std::string& path, const std::function<void(std::string_view, std::string_view)>& set,
               const std::function<void()>& validate) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open config file");
  std::map<std::string, int, std::less<>> lines;  // knob -> the line that set it
  std::string raw;
  for (int line_no = 1; std::getline(in, raw); ++line_no) {
    std::string_view line = raw;
    if (auto c = line.find_first_of("#;"); c != std::string_view::npos) line = line.substr(0, c);
    line = allocator::trim_blanks(line);
    if (line.empty()) continue;
    const auto where = path + ":" + std::to_string(line_no) + ": ";
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) throw ConfigError(where + "expected 'key = value', got '" + raw + "'");
    const std::string_view key = allocator::trim_blanks(line.substr(0, eq));
    if (const auto first = lines.find(key); first != lines.end())
      throw ConfigError(where + "knob " + in_quotes(key) + " is already set on line " + std::to_string(first->second));
    lines.emplace(key, line_no);
    try {
      set(key, allocator::trim_blanks(line.substr(eq + 1)));
    } catch (const ConfigError& e) {
      throw ConfigError(where + e.what());
    }
  }
  try {
    validate();
  } catch (const ConfigError& e) {
    // The knob is named only in the message ("bad value 'v' for knob 'k':
    // ...", allocator::bad_knob_value); when this file set it, name its line.
    const std::string what = e.what();
    for (const auto& [key, line_no] : lines)
      if (what.find("for knob " + in_quotes(key)) != std::string::npos)
        throw ConfigError(path + ":" + std::to_string(line_no) + ": " + what);
    throw ConfigError(path + ": " + what);
  }
}

void apply_set(RunConfig& run, const std::string& set) {
  const auto eq = set.find('=');
  if (eq == std::string::npos) throw ConfigError("--set " + in_quotes(set) + ": expected key=value");
  try {
    set_run_knob(run, allocator::trim_blanks(std::string_view(set).substr(0, eq)), allocator::trim_blanks(std::string_view(set).substr(eq + 1)));
  } catch (const ConfigError& e) {
    throw ConfigError("--set " + in_quotes(set) + ": " + e.what());
  }
}

}  // namespace

void ReplayKnobs::validate() const {
  auto require = [](bool ok, std::string_view key, std::uint64_t v, std::string_view expected) {
    if (!ok) allocator::bad_knob_value(key, std::to_string(v), expected);
  };
  require(max_samples >= 2, "max_samples", max_samples, "at least 2");
  require(jitter_percent <= 100, "jitter_percent", jitter_percent, "0 to 100");
  require(queue_events >= 16 && queue_events <= (1u << 24), "queue_events", queue_events, "16 to 16M");
  require(stall_timeout_ms >= 1, "stall_timeout_ms", stall_timeout_ms, "at least 1");
  if (!(time_scale >= 0)) allocator::bad_knob_value("time_scale", format(time_scale), "a number >= 0");
}

void set_replay_knob(ReplayKnobs& knobs, std::string_view key, std::string_view value) {
  value = allocator::trim_blanks(value);
#define ALLOCSIM_REPLAY_KNOB_SET(type, name, def, meaning) \
  if (key == #name) return parse(key, value, knobs.name);
  ALLOCSIM_REPLAY_KNOBS(ALLOCSIM_REPLAY_KNOB_SET)
#undef ALLOCSIM_REPLAY_KNOB_SET
  throw ConfigError("unknown knob " + in_quotes(key) + " (allocsim replay --help lists them)");
}

const std::vector<allocator::KnobInfo>& replay_knobs() {
  static const std::vector<allocator::KnobInfo> table = [] {
    const ReplayKnobs defaults;
    std::vector<allocator::KnobInfo> t;
#define ALLOCSIM_REPLAY_KNOB_INFO(type, name, def, meaning) \
  t.push_back(allocator::KnobInfo{#name, #type, format(defaults.name), meaning});
    ALLOCSIM_REPLAY_KNOBS(ALLOCSIM_REPLAY_KNOB_INFO)
#undef ALLOCSIM_REPLAY_KNOB_INFO
    return t;
  }();
  return table;
}

std::vector<std::pair<std::string, std::string>> replay_knob_values(const ReplayKnobs& knobs) {
  std::vector<std::pair<std::string, std::string>> out;
#define ALLOCSIM_REPLAY_KNOB_VALUE(type, name, def, meaning) out.emplace_back(#name, format(knobs.name));
  ALLOCSIM_REPLAY_KNOBS(ALLOCSIM_REPLAY_KNOB_VALUE)
#undef ALLOCSIM_REPLAY_KNOB_VALUE
  return out;
}

allocator::Config load_policy_config(const std::string& name_or_path, const std::string& policies_dir) {
  namespace fs = std::filesystem;
  // The rule allocator::load_policy uses to tell a path from a preset name.
  const bool is_path = name_or_path.find('/') != std::string::npos || fs::path(name_or_path).extension() == ".ini";
  const std::string path = is_path ? name_or_path : (fs::path(policies_dir) / (name_or_path + ".ini")).string();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (is_path) throw ConfigError("policy file " + in_quotes(name_or_path) + ": no such file");
    std::string known;
    for (const auto& n : allocator::policy_names(policies_dir)) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("unknown policy " + in_quotes(name_or_path) + " (known in " + policies_dir + ": " + known + ")");
  }
  allocator::Config config;
  apply_ini(
      path, [&](std::string_view key, std::string_view value) { allocator::set_knob(config, key, value); },
      [&] { config.validate(); });
  return config;
}

RunConfig load_run_config(const std::string& policy, const std::string& config_file,
                          const std::vector<std::string>& sets, const std::string& policies_dir) {
  RunConfig run;
  run.policy = policy.empty() ? "adaptive" : policy;
  run.config_file = config_file;
  run.allocator = load_policy_config(run.policy, policies_dir);
  auto validate = [&] {
    run.allocator.validate();
    run.replay.validate();
  };
  if (!config_file.empty())
    apply_ini(config_file, [&](std::string_view key, std::string_view value) { set_run_knob(run, key, value); }, validate);
  for (const auto& s : sets) apply_set(run, s);
  if (!sets.empty()) {
    try {
      validate();
    } catch (const ConfigError& e) {
      throw ConfigError(std::string("--set: ") + e.what());
    }
  }
  return run;
}

}  // namespace allocsim::sim
