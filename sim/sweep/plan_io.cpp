#include "sim/sweep/plan_io.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/common/atomic_file.hpp"
#include "sim/sweep/spec_json.hpp"

namespace allocsim::sim {

namespace {

PlannedRun run_from_json(const JsonAt& at) {
  PlannedRun r;
  at.require_object();
  const auto str = [&](const char* key) { return at.has(key) ? at.member(key).as_string() : std::string(); };
  r.id = str("id");
  if (r.id.size() != 16) at.fail("missing or malformed run id");
  r.label = str("label");
  r.group = str("group");
  const auto backend = parse_kind<BackendKind>(str("backend"));
  if (!backend) at.fail("backend must be " + kind_choices<BackendKind>());
  r.backend = *backend;
  r.policy = str("policy");
  r.allocator = str("allocator");
  r.preload = str("preload");
  if (!at.has("trace")) at.fail("missing trace");
  const JsonAt trace = at.member("trace");
  r.trace = {trace.member("name").as_string(), trace.member("path").as_string()};
  const auto mode = parse_kind<ReplayMode>(str("mode"));
  if (!mode) at.fail("mode must be " + kind_choices<ReplayMode>());
  r.mode = *mode;
  r.seed = at.member("seed").as_uint(0, UINT64_MAX);
  r.repetition = static_cast<unsigned>(at.member("repetition").as_uint(0, 1000));
  if (at.has("knobs")) {
    const JsonAt knobs = at.member("knobs");
    knobs.require_object();
    for (const auto& item : knobs.value.items()) r.knobs.emplace_back(item.key(), knobs.member(item.key()).as_string());
  }
  if (at.has("values")) {
    const JsonAt values = at.member("values");
    values.require_object();
    for (const auto& item : values.value.items()) r.values.emplace_back(item.key(), values.member(item.key()).as_string());
  }
  if (at.has("identity")) r.identity = nlohmann::json::parse(at.member("identity").value.dump());
  return r;
}

}  // namespace

PlanFile make_plan_file(const SweepSpec& spec, const SweepPlan& plan, unsigned shard_k, unsigned shard_n) {
  // Absolute, so `--resume` without SPEC resolves the spec's relative paths from anywhere.
  const std::string file = std::filesystem::absolute(spec.file).lexically_normal().string();
  return PlanFile{file,    spec.description, spec.baseline, spec.text, shard_k, shard_n, plan.swept, plan.notes,
                  plan.runs, plan.policy_values};
}

nlohmann::ordered_json run_json(const PlannedRun& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["label"] = r.label;
  j["group"] = r.group;
  j["backend"] = std::string(to_string(r.backend));
  if (r.backend == BackendKind::Core) j["policy"] = r.policy;
  else j["allocator"] = r.allocator, j["preload"] = r.preload;
  j["trace"] = {{"name", r.trace.name}, {"path", r.trace.path}};
  j["mode"] = std::string(to_string(r.mode));
  j["seed"] = r.seed;
  j["repetition"] = r.repetition;
  j["knobs"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.knobs) j["knobs"][k] = v;
  j["values"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.values) j["values"][k] = v;
  j["identity"] = r.identity;
  return j;
}

nlohmann::ordered_json plan_json(const PlanFile& p) {
  nlohmann::ordered_json j;
  j["schema"] = kPlanSchema;
  j["spec"] = {{"file", p.spec_file}, {"description", p.description}, {"baseline", p.baseline}, {"text", p.spec_text}};
  j["shard"] = {{"k", p.shard_k}, {"n", p.shard_n}};
  j["swept"] = p.swept;
  j["notes"] = p.notes;
  j["policy_values"] = nlohmann::ordered_json::object();
  for (const auto& pv : p.policy_values) {
    nlohmann::ordered_json values = nlohmann::ordered_json::object();
    for (const auto& [k, v] : pv.values) values[k] = v;
    j["policy_values"][pv.label] = std::move(values);
  }
  j["runs"] = nlohmann::ordered_json::array();
  for (const auto& r : p.runs) j["runs"].push_back(run_json(r));
  return j;
}

PlanFile plan_from_json(const nlohmann::ordered_json& doc, const std::string& file) {
  const JsonAt root{doc, "$", file};
  root.require_object();
  if (!root.has("schema") || root.member("schema").as_string() != kPlanSchema)
    root.fail(std::string("not a sweep plan (expected schema ") + kPlanSchema + ")");
  PlanFile p;
  const JsonAt spec = root.member("spec");
  p.spec_file = spec.member("file").as_string();
  p.description = spec.member("description").as_string();
  p.baseline = spec.member("baseline").as_string();
  p.spec_text = spec.member("text").as_string();
  const JsonAt shard = root.member("shard");
  p.shard_n = static_cast<unsigned>(shard.member("n").as_uint(1, 1u << 20));
  p.shard_k = static_cast<unsigned>(shard.member("k").as_uint(1, p.shard_n));
  for (const auto& s : root.member("swept").value) p.swept.push_back(s.get<std::string>());
  for (const auto& s : root.member("notes").value) p.notes.push_back(s.get<std::string>());
  if (root.has("policy_values")) {
    const JsonAt all = root.member("policy_values");
    all.require_object();
    for (const auto& item : all.value.items()) {
      const JsonAt one = all.member(item.key());
      one.require_object();
      PolicyValues pv{item.key(), {}};
      for (const auto& kv : one.value.items()) pv.values.emplace_back(kv.key(), one.member(kv.key()).as_string());
      p.policy_values.push_back(std::move(pv));
    }
  }
  const JsonAt runs = root.member("runs");
  if (!runs.value.is_array()) runs.fail("expected an array of runs");
  for (std::size_t i = 0; i < runs.value.size(); ++i) p.runs.push_back(run_from_json(runs.element(i)));
  return p;
}

void write_plan(const SweepDir& dir, const PlanFile& plan) { write_file_atomic(dir.plan(), plan_json(plan).dump(1) + "\n"); }

PlanFile read_plan(const SweepDir& dir) {
  std::ifstream in(dir.plan(), std::ios::binary);
  if (!in) throw SpecError(dir.plan() + ": cannot open (not a sweep directory?)");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return plan_from_json(parse_json_document(text.str(), dir.plan()), dir.plan());
  } catch (const nlohmann::json::exception& e) {
    throw SpecError(dir.plan() + ": " + e.what());
  }
}

}  // namespace allocsim::sim
