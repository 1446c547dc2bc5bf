#pragma once
// A sweep's reports, rebuilt from its directory after every sweep or merge:
//   DIR/summary.csv  one row per planned run: identity, status, every knob
//                    the spec sets or sweeps, the key metrics, the error
//   DIR/report.json  counts, notes, every run with its key metrics, and the
//                    comparison against the baseline (allocsim compare's JSON)
// Columns and fields: docs/reports.md.
#include <nlohmann/json.hpp>
#include <ostream>

#include "sim/sweep/results.hpp"

namespace allocsim::sim {

void print_summary_csv(const SweepResults& results, std::ostream& out);
nlohmann::ordered_json sweep_report_json(const SweepResults& results);
// Writes both files atomically.
void write_sweep_reports(const SweepResults& results);

}  // namespace allocsim::sim
