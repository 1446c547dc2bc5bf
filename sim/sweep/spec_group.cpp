// One group of a sweep spec: backend, policies or allocators, modes, and
// the knob settings and axes whose cartesian product the group runs.
#include "sim/sweep/spec_group.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "sim/common/paths.hpp"
#include "sim/common/shared_library.hpp"
#include "sim/config/knobs.hpp"

namespace allocsim::sim {

namespace fs = std::filesystem;

namespace {

bool is_policy_path(const std::string& p) {
  return p.find('/') != std::string::npos || fs::path(p).extension() == ".ini";
}

std::vector<std::string> read_policies(const JsonAt& list, const std::string& base_dir) {
  list.require_nonempty_array("policy list");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list.value.size(); ++i) {
    const JsonAt entry = list.element(i);
    std::string policy = entry.as_string();
    if (is_policy_path(policy) && fs::path(policy).is_relative())
      policy = (fs::path(base_dir) / policy).lexically_normal().string();
    try {
      load_policy_config(policy, policies_dir());
    } catch (const allocator::ConfigError& e) {
      entry.fail(e.what());
    }
    if (std::find(out.begin(), out.end(), policy) != out.end()) entry.fail("policy '" + policy + "' listed twice");
    out.push_back(policy);
  }
  return out;
}

std::vector<SpecAllocator> read_allocators(const JsonAt& table, const std::string& base_dir) {
  table.require_object();
  if (table.value.empty()) table.fail("empty allocator table: name at least one, e.g. {\"glibc\": \"\"}");
  std::vector<SpecAllocator> out;
  for (const auto& item : table.value.items()) {
    const JsonAt entry = table.member(item.key());
    SpecAllocator a{item.key(), entry.as_string(), ""};
    if (a.name.empty()) entry.fail("empty allocator name");
    if (!a.library.empty()) a.resolved = find_shared_library(a.library, base_dir);
    out.push_back(std::move(a));
  }
  return out;
}

// Checks one knob's value where it is written; the system backend takes replay knobs only.
std::string checked_value(const std::string& knob, const JsonAt& at, BackendKind backend) {
  std::string text;
  try {
    text = knob_text(at.value);
    if (check_knob(knob, text) == KnobKind::Allocator && backend == BackendKind::System)
      at.fail("allocator knob '" + knob + "' does not apply to the system backend (it runs the process's malloc)");
  } catch (const std::invalid_argument& e) {
    at.fail(e.what());
  }
  return text;
}

// A knob named where it is written: it exists, and is set in one place only
// in its group, so a run's knob values are unambiguous.
void claim_knob(std::vector<std::string>& seen, const std::string& knob, const JsonAt& at) {
  try {
    knob_kind(knob);
  } catch (const std::invalid_argument& e) {
    at.fail(e.what());
  }
  if (std::find(seen.begin(), seen.end(), knob) != seen.end())
    at.fail("knob '" + knob + "' is already set or swept elsewhere in this group");
  seen.push_back(knob);
}

std::vector<std::string> read_axis_values(const JsonAt& list, const std::string& knob, BackendKind backend) {
  list.require_nonempty_array("axis");
  std::vector<std::string> values;
  for (std::size_t i = 0; i < list.value.size(); ++i) values.push_back(checked_value(knob, list.element(i), backend));
  return values;
}

// A zip object: every knob's list advances together, so all lists have one length.
SpecAxis read_zip(const JsonAt& zip, BackendKind backend, std::vector<std::string>& seen) {
  zip.require_object();
  if (zip.value.empty()) zip.fail("empty zip: name at least one knob with its values");
  SpecAxis axis{zip.path, {}, {}};
  std::string first;
  for (const auto& item : zip.value.items()) {
    const JsonAt values = zip.member(item.key());
    claim_knob(seen, item.key(), values);
    const auto list = read_axis_values(values, item.key(), backend);
    if (axis.knobs.empty()) {
      axis.points.resize(list.size());
      first = item.key();
    } else if (list.size() != axis.points.size()) {
      values.fail("zipped knobs need equally long lists: '" + first + "' has " + std::to_string(axis.points.size()) +
                  ", '" + item.key() + "' has " + std::to_string(list.size()));
    }
    axis.knobs.push_back(item.key());
    for (std::size_t i = 0; i < list.size(); ++i) axis.points[i].push_back(list[i]);
  }
  return axis;
}

void read_knobs(const JsonAt& at, SpecGroup& g) {
  std::vector<std::string> seen;
  if (at.has("set")) {
    const JsonAt set = at.member("set");
    set.require_object();
    for (const auto& item : set.value.items()) {
      const JsonAt v = set.member(item.key());
      claim_knob(seen, item.key(), v);
      g.set.emplace_back(item.key(), checked_value(item.key(), v, g.backend));
    }
  }
  if (at.has("grid")) {
    const JsonAt grid = at.member("grid");
    grid.require_object();
    for (const auto& item : grid.value.items()) {
      const JsonAt values = grid.member(item.key());
      claim_knob(seen, item.key(), values);
      SpecAxis axis{values.path, {item.key()}, {}};
      for (auto& v : read_axis_values(values, item.key(), g.backend)) axis.points.push_back({std::move(v)});
      g.axes.push_back(std::move(axis));
    }
  }
  if (at.has("zip")) {
    const JsonAt zips = at.member("zip");
    zips.require_nonempty_array("zip list");
    for (std::size_t i = 0; i < zips.value.size(); ++i) g.axes.push_back(read_zip(zips.element(i), g.backend, seen));
  }
}

}  // namespace

std::string policy_label(const std::string& policy) {
  return is_policy_path(policy) ? fs::path(policy).stem().string() : policy;
}

std::vector<ReplayMode> read_modes(const JsonAt& at) {
  const std::vector<std::string> names = at.as_string_list();
  std::vector<ReplayMode> modes;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto mode = parse_kind<ReplayMode>(names[i]);
    if (!mode)
      (at.value.is_array() ? at.element(i) : at).fail("unknown mode '" + names[i] + "' (" + kind_choices<ReplayMode>() + ")");
    modes.push_back(*mode);
  }
  return modes;
}

SpecGroup read_group(const JsonAt& at, const GroupDefaults& defaults, const std::string& base_dir) {
  at.only_keys({"name", "backend", "policies", "allocators", "mode", "repetitions", "set", "grid", "zip"});
  SpecGroup g;
  g.json_path = at.path;
  if (at.has("name")) g.name = at.member("name").as_string();
  if (at.has("backend")) {
    const JsonAt b = at.member("backend");
    const std::string name = b.as_string();
    const auto backend = parse_kind<BackendKind>(name);
    if (!backend) b.fail("unknown backend '" + name + "' (" + kind_choices<BackendKind>() + ")");
    g.backend = *backend;
  }
  if (g.backend == BackendKind::Core) {
    if (at.has("allocators")) at.member("allocators").fail("'allocators' belongs to the system backend; use 'policies'");
    if (!at.has("policies")) at.fail("missing key 'policies' (core backend: policy presets to run)");
    g.policies = read_policies(at.member("policies"), base_dir);
  } else {
    if (at.has("policies")) at.member("policies").fail("'policies' belongs to the core backend; use 'allocators'");
    if (!at.has("allocators")) at.fail("missing key 'allocators' (system backend: name -> library to LD_PRELOAD)");
    g.allocators = read_allocators(at.member("allocators"), base_dir);
  }
  g.modes = at.has("mode") ? read_modes(at.member("mode")) : defaults.modes;
  g.repetitions = at.has("repetitions") ? static_cast<unsigned>(at.member("repetitions").as_uint(1, 1000))
                                        : defaults.repetitions;
  read_knobs(at, g);
  return g;
}

}  // namespace allocsim::sim
