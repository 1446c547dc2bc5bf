// Reading a sweep spec: top level and traces here, groups in sweep_spec_group.cpp.
#include "sim/sweep/spec.hpp"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "sim/sweep/spec_group.hpp"

namespace allocsim::sim {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> glob_files(const std::string& pattern) {
  glob_t g{};
  std::vector<std::string> out;
  if (::glob(pattern.c_str(), GLOB_ERR, nullptr, &g) == 0)
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  ::globfree(&g);
  std::error_code ec;
  std::erase_if(out, [&](const std::string& p) { return !fs::is_regular_file(p, ec); });
  return out;
}

bool has_wildcard(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// Each entry is a file or a glob, relative to the trace root unless absolute.
std::vector<SpecTrace> read_traces(const JsonAt& list, const fs::path& root) {
  list.require_nonempty_array("trace list");
  std::vector<SpecTrace> traces;
  for (std::size_t i = 0; i < list.value.size(); ++i) {
    const JsonAt entry = list.element(i);
    const std::string written = entry.as_string();
    if (written.empty()) entry.fail("empty trace name");
    const fs::path pattern = fs::path(written).is_absolute() ? fs::path(written) : root / written;
    const auto files = glob_files(pattern.string());
    if (files.empty())
      entry.fail(has_wildcard(written) ? "no trace file matches '" + pattern.string() + "'"
                                       : "trace '" + pattern.string() + "' does not exist");
    for (const auto& f : files) {
      const fs::path abs = fs::absolute(f).lexically_normal();
      const std::string name = fs::path(written).is_absolute() ? abs.string() : abs.lexically_relative(root).string();
      const bool seen = std::any_of(traces.begin(), traces.end(), [&](const SpecTrace& t) { return t.path == abs.string(); });
      if (!seen) traces.push_back({name, abs.string()});
    }
  }
  return traces;
}

void check_baseline(const SweepSpec& spec, const JsonAt& root) {
  std::vector<std::string> labels;
  for (const auto& g : spec.groups) {
    for (const auto& p : g.policies) labels.push_back(policy_label(p));
    for (const auto& a : g.allocators) labels.push_back(a.name);
  }
  if (std::find(labels.begin(), labels.end(), spec.baseline) != labels.end()) return;
  std::string known;
  for (const auto& l : labels) known += (known.empty() ? "" : ", ") + l;
  root.member("baseline").fail("baseline '" + spec.baseline + "' is not a policy or allocator of this sweep (" + known + ")");
}

}  // namespace


SweepSpec parse_sweep_spec(const std::string& text, const std::string& file) {
  const OrderedJson doc = parse_json_document(text, file);
  const JsonAt root{doc, "$", file};
  root.only_keys({"description", "trace_root", "traces", "baseline", "seed", "mode", "repetitions", "groups"});

  SweepSpec spec;
  spec.file = file;
  spec.text = text;
  spec.base_dir = fs::absolute(file).parent_path().lexically_normal().string();
  if (root.has("description")) spec.description = root.member("description").as_string();
  if (root.has("seed")) spec.seed = root.member("seed").as_uint(0, std::numeric_limits<std::uint32_t>::max());

  fs::path trace_root = spec.base_dir;
  if (root.has("trace_root")) {
    const JsonAt r = root.member("trace_root");
    trace_root = (fs::path(spec.base_dir) / r.as_string()).lexically_normal();
    if (!fs::is_directory(trace_root)) r.fail("trace_root '" + trace_root.string() + "' is not a directory");
  }
  if (!root.has("traces")) root.fail("missing key 'traces' (files or globs of traces to replay)");
  spec.traces = read_traces(root.member("traces"), trace_root);

  GroupDefaults defaults;
  if (root.has("mode")) defaults.modes = read_modes(root.member("mode"));
  if (root.has("repetitions")) defaults.repetitions = static_cast<unsigned>(root.member("repetitions").as_uint(1, 1000));
  if (!root.has("groups")) root.fail("missing key 'groups' (what to run: backends, policies, knob axes)");
  const JsonAt groups = root.member("groups");
  groups.require_nonempty_array("group list");
  for (std::size_t i = 0; i < groups.value.size(); ++i)
    spec.groups.push_back(read_group(groups.element(i), defaults, spec.base_dir));

  if (root.has("baseline")) spec.baseline = root.member("baseline").as_string();
  else spec.baseline = spec.groups.front().backend == BackendKind::Core ? policy_label(spec.groups.front().policies.front())
                                                                    : spec.groups.front().allocators.front().name;
  check_baseline(spec, root);
  return spec;
}

SweepSpec load_sweep_spec(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw SpecError(file + ": cannot open sweep spec");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_sweep_spec(text.str(), file);
}

}  // namespace allocsim::sim
