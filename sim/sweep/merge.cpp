#include "sim/sweep/merge.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <set>

#include "sim/sweep/directory.hpp"
#include "sim/sweep/plan_io.hpp"

namespace allocsim::sim {

namespace fs = std::filesystem;

namespace {

bool same_dir(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec);
}

// Copies whole or not at all: into tmp/, then renamed into place.
void copy_atomic(const std::string& from, const SweepDir& out, const std::string& to) {
  const std::string tmp = out.tmp() + "/" + fs::path(to).filename().string() + ".merge";
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
  fs::rename(tmp, to);
}

void union_plans(PlanFile& merged, const PlanFile& other, const std::string& dir, MergeTally& tally) {
  std::set<std::string> ids;
  for (const auto& r : merged.runs) ids.insert(r.id);
  std::size_t added = 0;
  for (const auto& r : other.runs)
    if (ids.insert(r.id).second) merged.runs.push_back(r), ++added;
  if (added) tally.notes.push_back(fmt::format("{}: its plan adds {} run(s) the first input's plan lacks", dir, added));
  if (other.spec_text != merged.spec_text) tally.notes.push_back(dir + ": planned from a different spec text");
}

}  // namespace

MergeTally merge_sweeps(const std::vector<std::string>& inputs, const SweepDir& target) {
  const std::string& out = target.root;
  if (inputs.empty()) throw std::invalid_argument("--merge needs at least one sweep directory");
  MergeTally tally;
  std::vector<SweepDir> dirs;
  PlanFile merged;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    dirs.push_back(SweepDir{inputs[i]});
    PlanFile plan = read_plan(dirs.back());
    if (i == 0) merged = std::move(plan);
    else union_plans(merged, plan, inputs[i], tally);
  }
  merged.shard_k = merged.shard_n = 1;
  std::error_code ec;
  for (const auto& run : merged.runs) {
    if (fs::exists(target.result(run.id), ec)) {
      ++tally.already_there;
      continue;
    }
    bool found = false;
    for (const auto& d : dirs)
      if (!same_dir(d.root, out) && fs::exists(d.result(run.id), ec)) {
        copy_atomic(d.result(run.id), target, target.result(run.id));
        fs::remove(target.failure(run.id), ec);
        ++tally.copied;
        found = true;
        break;
      }
    if (found || fs::exists(target.failure(run.id), ec)) continue;
    for (const auto& d : dirs)
      if (!same_dir(d.root, out) && fs::exists(d.failure(run.id), ec)) {
        copy_atomic(d.failure(run.id), target, target.failure(run.id));
        ++tally.failed_records;
        break;
      }
  }
  tally.planned = merged.runs.size();
  merged.notes.insert(merged.notes.end(), tally.notes.begin(), tally.notes.end());
  write_plan(target, merged);
  return tally;
}

}  // namespace allocsim::sim
