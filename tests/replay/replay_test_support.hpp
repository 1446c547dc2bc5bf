#pragma once
// Shared helpers of the replay tests: sample paths, policies, a reader that
// stops after N events (so a threaded run on a prefix can be compared with
// the prefix's own statistics), and one-call replays.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "allocator/policy.hpp"
#include "sim/metrics/metrics_io.hpp"
#include "sim/common/paths.hpp"
#include "sim/replay/replay.hpp"
#include "tests/common/paths.hpp"
#include "traces/event_reader.hpp"
#include "traces/generators.hpp"
#include "traces/trace_stats.hpp"

namespace allocsim::sim::testing {

using allocsim::testing::sample_path;

inline const std::vector<std::string>& sample_names() {
  static const std::vector<std::string> names = {
      "ht_edgecases.raw.zst", "ht_edgecases.zst",     "ht_mt_prodcons.raw.zst", "ht_mt_prodcons.zst",
      "ht_python_json.raw.zst", "ht_python_json.zst", "ht_sqlite3.raw.zst",     "ht_sqlite3.zst",
      "lt_edgecases_plt.txt", "lt_edgecases_x.txt",   "lt_mt_prodcons_x.txt.gz", "lt_sqlite3_plt.txt.gz",
      "mtrace_edgecases.txt", "mtrace_sort.txt.gz"};
  return names;
}

inline std::vector<std::string> policies() { return allocator::policy_names(std::string(ALLOCSIM_SOURCE_DIR) + "/configs/policies"); }

// Passes on at most `limit` events of another reader.
class PrefixReader : public traces::EventReader {
 public:
  PrefixReader(std::unique_ptr<traces::EventReader> inner, std::uint64_t limit)
      : inner_(std::move(inner)), left_(limit ? limit : ~std::uint64_t{0}) {}
  std::size_t read(std::span<traces::Event> out) override {
    if (left_ == 0) return 0;
    const std::size_t n = inner_->read(out.first(std::min<std::uint64_t>(out.size(), left_)));
    left_ -= n;
    return n;
  }
  const traces::TraceInfo& info() const override { return inner_->info(); }
  const traces::AnomalyReport& anomalies() const override { return inner_->anomalies(); }

 private:
  std::unique_ptr<traces::EventReader> inner_;
  std::uint64_t left_;
};

// The trace's own statistics over its first `limit` events (0: all).
inline traces::TraceStats own_stats(const std::string& path, std::uint64_t limit = 0) {
  PrefixReader reader(traces::open_trace(path), limit);
  return traces::trace_stats(reader);
}

inline ReplayRequest request_for(const std::string& path, const std::string& policy, ReplayMode mode,
                                 std::vector<std::string> sets = {}) {
  ReplayRequest r;
  r.trace = path;
  r.mode = mode;
  r.config = load_run_config(policy, "", sets, policies_dir());
  return r;
}

// Four threads, two producers and two consumers: every free crosses
// threads; no reallocs, a tenth each of memaligns and callocs.
inline std::vector<traces::Event> prodcons(std::uint64_t events) {
  traces::GeneratorOptions g;
  g.shape = traces::Shape::ProdCons;
  g.threads = 4;
  g.events = events;
  g.seed = 11;
  g.queue_depth = 64;
  g.realloc_percent = 0;
  g.memalign_percent = 10;
  g.calloc_percent = 10;
  return traces::generate_events(g, traces::SizeDistribution::power_law());
}

// The metrics JSON without the host section (the determinism contract).
inline nlohmann::ordered_json without_host(const Metrics& m) {
  nlohmann::ordered_json j = metrics_json(m);
  j.erase("host");
  return j;
}

}  // namespace allocsim::sim::testing
