#pragma once
// Printers for a sweep comparison (sim/report/compare_table.hpp): a text table per
// trace for the terminal, CSV (one row per trace and variant) and JSON
// (schema in docs/reports.md).
#include <nlohmann/json.hpp>
#include <ostream>

#include "sim/report/compare_table.hpp"

namespace allocsim::sim {

void print_comparison_text(const Comparison& c, std::ostream& out);
void print_comparison_csv(const Comparison& c, std::ostream& out);
nlohmann::ordered_json comparison_json(const Comparison& c);

}  // namespace allocsim::sim
