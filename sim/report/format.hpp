#pragma once
// Formatting shared by the sweep and compare reports: human units for the
// terminal, CSV fields, and a plain-text table with aligned columns.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/metrics/metric_table.hpp"

namespace allocsim::sim {

// 12.3 MiB, 25.0%, 1.23M, 4.56M/s, 120 ns, 1.23 s.
std::string human_value(double v, MetricUnit unit);
// Change against a baseline: "+5.0%" (relative), or "+1.2pp" for ratios and
// fractions (absolute, in percentage points); "" when either side is missing.
std::string human_change(const std::optional<double>& value, const std::optional<double>& baseline, MetricUnit unit);

// A CSV field, quoted when it holds a comma, quote or newline (RFC 4180).
std::string csv_field(const std::string& s);
// A number for CSV/JSON consumers: integers exactly, others as the shortest text that reads back
// as the same double; "" when absent.
std::string csv_number(const std::optional<double>& v);

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns after the first `left_columns` are right-aligned (numbers).
  void print(std::ostream& out, std::size_t left_columns) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace allocsim::sim
