#pragma once
// `allocsim compare A.json B.json`: two runs' metrics files side by side —
// every numeric figure of summary, throughput, latency and host with its
// delta and ratio, and the run-identity and config keys whose values differ.
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace allocsim::sim {

struct ConfigDifference {
  std::string key;  // "run.config.queue_initial", "run.mode"
  std::string a, b; // JSON text; "(absent)" when one side lacks it
};

struct MetricDifference {
  std::string name;  // "summary.peak_rss_bytes"
  std::optional<double> a, b, delta, ratio;
};

struct RunDiff {
  std::string a_file, b_file;
  std::vector<ConfigDifference> config;
  std::vector<MetricDifference> metrics;
};

RunDiff diff_runs(const nlohmann::json& a, const nlohmann::json& b, std::string a_file, std::string b_file);

void print_run_diff_text(const RunDiff& d, std::ostream& out);
void print_run_diff_csv(const RunDiff& d, std::ostream& out);
nlohmann::ordered_json run_diff_json(const RunDiff& d);

}  // namespace allocsim::sim
