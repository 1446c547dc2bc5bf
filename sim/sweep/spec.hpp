#pragma once
// A sweep spec (configs/sweeps/*.json, grammar in docs/sweep-spec.md): which
// traces, which backends and policies, which knob axes, how many
// repetitions. Loading checks everything a run would trip over — unknown
// keys, unknown knobs, bad values, empty axes, missing traces or policies —
// and reports `FILE: $.json.path: reason` before any run starts.
//
//   {
//     "description": "queue knobs of the seed policy",
//     "trace_root": "../../traces/samples",
//     "traces": ["ht_*.raw.zst", "mtrace_sort.txt.gz"],
//     "baseline": "adaptive",
//     "groups": [
//       {"backend": "core", "policies": ["adaptive", "fixed-queue"], "mode": "virtual",
//        "grid": {"queue_initial": [64, 256]},
//        "zip": [{"reclaim_after": [4, 16], "reclaim_fraction": [0.5, 0.25]}]},
//       {"backend": "system", "mode": "threaded",
//        "allocators": {"glibc": "", "jemalloc": "libjemalloc.so.2"}}
//     ]
//   }
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/common/kinds.hpp"
#include "sim/sweep/spec_json.hpp"

namespace allocsim::sim {

struct SpecTrace {
  std::string name;  // as the spec's author sees it: relative to trace_root, or as written when absolute
  std::string path;  // absolute path to open
};

// A system allocator brought in with LD_PRELOAD (library empty: the process's own, glibc).
struct SpecAllocator {
  std::string name;
  std::string library;   // as written in the spec (soname or path); part of the run identity
  std::string resolved;  // absolute path found on this machine; empty when not installed
  bool installed() const { return library.empty() || !resolved.empty(); }
};

using KnobSetting = std::pair<std::string, std::string>;  // knob name, value as `--set` text

// One axis of the cartesian product: a grid axis has one knob, a zip axis
// several knobs whose value lists advance together.
struct SpecAxis {
  std::string json_path;
  std::vector<std::string> knobs;
  std::vector<std::vector<std::string>> points;  // points[i][k] is knobs[k]'s value at step i
};

struct SpecGroup {
  std::string json_path;  // "$.groups[2]", for errors found later
  std::string name;
  BackendKind backend = BackendKind::Core;
  std::vector<std::string> policies;          // core: preset names or .ini paths
  std::vector<SpecAllocator> allocators;      // system
  std::vector<ReplayMode> modes;
  std::vector<KnobSetting> set;               // fixed knob values
  std::vector<SpecAxis> axes;                 // grids then zips, in spec order
  unsigned repetitions = 1;
};

struct SweepSpec {
  std::string file;       // the spec's path as given
  std::string base_dir;   // directory relative paths in the spec are resolved against
  std::string description;
  std::vector<SpecTrace> traces;
  std::vector<SpecGroup> groups;
  std::string baseline;   // label (policy or allocator name) that compare measures against
  std::uint64_t seed = 1; // repetition r runs with seed + r
  std::string text;       // the spec file's contents, kept in the sweep's plan
};

// Reads and validates FILE. Throws SpecError.
SweepSpec load_sweep_spec(const std::string& file);
// Same, from text already read (file names the source in messages and anchors relative paths).
SweepSpec parse_sweep_spec(const std::string& text, const std::string& file);

}  // namespace allocsim::sim
