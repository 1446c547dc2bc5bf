#pragma once
// Printers of Metrics: JSON (nlohmann, schema in docs/metrics.md) and a
// one-row CSV with a fixed header, for sweeps that collect many runs.
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "sim/metrics/metrics.hpp"

namespace allocsim::sim {

void to_json(nlohmann::ordered_json& j, const Metrics& m);
nlohmann::ordered_json metrics_json(const Metrics& m);

// The CSV columns, always the same and in the same order.
const std::vector<std::string>& csv_columns();
// The header line and one row for `m` (each ending in '\n').
void write_csv(std::ostream& out, const Metrics& m);

}  // namespace allocsim::sim
