// Expanding a sweep spec into runs with stable ids, and slicing them into shards.
#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "allocator/config.hpp"
#include "sim/common/paths.hpp"
#include "sim/config/run_config.hpp"
#include "sim/config/knobs.hpp"
#include "sim/sweep/plan.hpp"
#include "sim/sweep/spec_group.hpp"
#include "sim/common/text_hash.hpp"
#include "sim/common/trace_hash.hpp"

namespace allocsim::sim {

namespace {

// The knob values of one point of a group's product of axes.
using Point = std::vector<KnobSetting>;

std::vector<Point> axis_points(const SpecGroup& g) {
  std::vector<Point> points{g.set};
  for (const auto& axis : g.axes) {
    std::vector<Point> next;
    for (const auto& p : points)
      for (const auto& values : axis.points) {
        Point q = p;
        for (std::size_t k = 0; k < axis.knobs.size(); ++k) q.emplace_back(axis.knobs[k], values[k]);
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

// The allocator knobs that differ from the defaults once the policy and the
// point's settings are applied. Listing only differences keeps ids stable
// when the core gains a knob whose default changes nothing.
nlohmann::json effective_config(const SweepSpec& spec, const SpecGroup& g, const std::string& policy, const Point& p) {
  allocator::Config config = load_policy_config(policy, policies_dir());
  std::string where;
  try {
    for (const auto& [knob, value] : p) {
      if (check_knob(knob, value) != KnobKind::Allocator) continue;
      allocator::set_knob(config, knob, value);
      where += fmt::format("{}{}={}", where.empty() ? "" : " ", knob, value);
    }
    config.validate();
  } catch (const allocator::ConfigError& e) {
    throw SpecError(fmt::format("{}: {}: policy '{}'{}{}: {}", spec.file, g.json_path, policy_label(policy),
                                where.empty() ? "" : " with ", where, e.what()));
  }
  const auto defaults = allocator::knob_values(allocator::Config{});
  const auto values = allocator::knob_values(config);
  nlohmann::json diff = nlohmann::json::object();
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i].second != defaults[i].second) diff[values[i].first] = values[i].second;
  return diff;
}

nlohmann::json replay_settings(const Point& p) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [knob, value] : p)
    if (check_knob(knob, value) == KnobKind::Replay) out[knob] = value;
  return out;
}

struct Expander {
  const SweepSpec& spec;
  SweepPlan plan;
  std::map<std::string, std::string> trace_hashes;  // path -> content hash
  std::set<std::string> ids;
  std::size_t repeats = 0;  // runs of the current group identical to earlier ones

  const std::string& hash_of(const SpecTrace& t) {
    auto it = trace_hashes.find(t.path);
    if (it == trace_hashes.end()) {
      try {
        it = trace_hashes.emplace(t.path, trace_file_hash(t.path)).first;
      } catch (const std::runtime_error& e) {
        throw SpecError(spec.file + ": $.traces: " + e.what());
      }
    }
    return it->second;
  }

  void note_swept(const Point& p) {
    for (const auto& [knob, value] : p)
      if (std::find(plan.swept.begin(), plan.swept.end(), knob) == plan.swept.end()) plan.swept.push_back(knob);
  }

  // One run per repetition and trace for a label, mode and point.
  void add_runs(const SpecGroup& g, PlannedRun base, nlohmann::json identity) {
    for (unsigned r = 0; r < g.repetitions; ++r)
      for (const auto& trace : spec.traces) {
        PlannedRun run = base;
        run.trace = trace;
        run.repetition = r;
        run.seed = spec.seed + r;
        run.identity = identity;
        run.identity["trace"] = {{"name", trace.name}, {"hash", hash_of(trace)}};
        run.identity["seed"] = run.seed;
        run.identity["repetition"] = r;
        run.id = run_id(run.identity);
        if (!ids.insert(run.id).second) {
          ++repeats;
          continue;
        }
        plan.runs.push_back(std::move(run));
      }
  }

  void expand_group(const SpecGroup& g) {
    repeats = 0;
    const auto points = axis_points(g);
    for (const auto& p : points) note_swept(p);
    PlannedRun base;
    base.group = g.name.empty() ? g.json_path : g.name;
    base.backend = g.backend;
    for (const auto& mode : g.modes)
      for (const auto& p : points) {
        base.mode = mode;
        base.knobs = p;
        nlohmann::json common = {{"backend", std::string(to_string(g.backend))}, {"mode", std::string(to_string(mode))}, {"replay", replay_settings(p)}};
        for (const auto& policy : g.policies) {
          base.policy = policy;
          base.label = policy_label(policy);
          nlohmann::json identity = common;
          identity["policy"] = base.label;
          identity["config"] = effective_config(spec, g, policy, p);
          add_runs(g, base, identity);
        }
        for (const auto& a : g.allocators) {
          if (!a.installed()) continue;
          base.allocator = base.label = a.name;
          base.preload = a.resolved;
          nlohmann::json identity = common;
          identity["allocator"] = a.name;
          identity["library"] = a.library;
          add_runs(g, base, identity);
        }
      }
    if (repeats)
      plan.notes.push_back(fmt::format("{}: {} run(s) identical to earlier ones (same identity) are run once", g.json_path, repeats));
    for (const auto& a : g.allocators)
      if (!a.installed())
        plan.notes.push_back(fmt::format("{}: allocator '{}' skipped: library '{}' is not installed", g.json_path, a.name, a.library));
  }
};

// The effective value of every swept knob under `policy` (core; "" for the
// system backend) with `knobs` set.
std::vector<KnobSetting> swept_values(const std::string& policy, bool core, const std::vector<KnobSetting>& knobs,
                                      const std::vector<std::string>& swept) {
  std::vector<std::string> sets;
  for (const auto& [k, v] : knobs) sets.push_back(k + "=" + v);
  const RunConfig config = load_run_config(core ? policy : "", "", sets, policies_dir());
  const auto replay = replay_knob_values(config.replay);
  std::vector<KnobSetting> out;
  for (const auto& knob : swept) {
    std::string value;
    if (knob_kind(knob) == KnobKind::Replay) {
      for (const auto& [k, v] : replay)
        if (k == knob) value = v;
    } else if (core) {
      value = allocator::get_knob(config.allocator, knob);
    }
    out.emplace_back(knob, value);
  }
  return out;
}

// Fills each run's `values` and each core policy's own values.
void fill_values(SweepPlan& plan) {
  for (auto& run : plan.runs) {
    const bool core = run.backend == BackendKind::Core;
    run.values = swept_values(run.policy, core, run.knobs, plan.swept);
    if (!core) continue;
    const auto known = std::find_if(plan.policy_values.begin(), plan.policy_values.end(),
                                    [&](const PolicyValues& p) { return p.label == run.label; });
    if (known == plan.policy_values.end()) plan.policy_values.push_back({run.label, swept_values(run.policy, true, {}, plan.swept)});
  }
}

}  // namespace

std::string run_id(const nlohmann::json& identity) { return text_xxh3(identity.dump()); }

SweepPlan expand_sweep(const SweepSpec& spec) {
  Expander e{spec, {}, {}, {}};
  for (const auto& g : spec.groups) e.expand_group(g);
  fill_values(e.plan);
  return std::move(e.plan);
}

std::vector<PlannedRun> shard_runs(const std::vector<PlannedRun>& runs, unsigned k, unsigned n) {
  if (n == 0 || k == 0 || k > n) throw std::invalid_argument(fmt::format("bad shard {}/{}: need 1 <= k <= n", k, n));
  std::vector<const PlannedRun*> sorted;
  for (const auto& r : runs) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->id < b->id; });
  std::set<std::string> mine;
  for (std::size_t i = k - 1; i < sorted.size(); i += n) mine.insert(sorted[i]->id);
  std::vector<PlannedRun> out;
  for (const auto& r : runs)
    if (mine.count(r.id)) out.push_back(r);
  return out;
}

std::vector<std::string> replay_arguments(const PlannedRun& run, const std::string& output) {
  std::vector<std::string> args{"replay", run.trace.path, "--backend", std::string(to_string(run.backend)),
                                "--mode", std::string(to_string(run.mode)), "--set", "seed=" + std::to_string(run.seed)};
  if (run.backend == BackendKind::Core) args.insert(args.end(), {"--policy", run.policy});
  for (const auto& [knob, value] : run.knobs) args.insert(args.end(), {"--set", knob + "=" + value});
  args.insert(args.end(), {"-o", output});
  return args;
}

}  // namespace allocsim::sim
