#include "sim/config/run_config.hpp"

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

void apply_file(RunConfig& run, const std::string& path) {
  allocator::for_each_config_line(path, [&](std::string_view key, std::string_view value) { set_run_knob(run, key, value); });
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

RunConfig load_run_config(const std::string& policy, const std::string& config_file,
                          const std::vector<std::string>& sets, const std::string& policies_dir) {
  RunConfig run;
  run.policy = policy.empty() ? "adaptive" : policy;
  run.config_file = config_file;
  run.allocator = allocator::load_policy(run.policy, policies_dir);
  auto validate = [&](const std::string& source) {
    try {
      run.allocator.validate();
      run.replay.validate();
    } catch (const ConfigError& e) {
      throw ConfigError(source + ": " + e.what());
    }
  };
  if (!config_file.empty()) {
    apply_file(run, config_file);
    validate(config_file);
  }
  for (const auto& s : sets) apply_set(run, s);
  if (!sets.empty()) validate("--set");
  return run;
}

}  // namespace allocsim::sim
