// One CSV row per run: the columns of the figure table (sim/metrics/fields.hpp)
// that have one — the run identity without the config, every summary
// scalar, the threaded-mode throughput and latency, and the wall time — so
// rows from any mode and backend share one header. An empty field is a
// figure the run does not have (null in the JSON).
#include <fmt/format.h>

#include "sim/metrics/fields.hpp"
#include "sim/metrics/metrics_io.hpp"

namespace allocsim::sim {
namespace {

std::string text(const nlohmann::ordered_json& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  return fmt::format("{}", v.get<double>());
}

// Quotes a field holding a comma, quote or line break (RFC 4180).
std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& f : metric_fields())
      if (!f.csv.empty()) n.emplace_back(f.csv);
    return n;
  }();
  return names;
}

void write_csv(std::ostream& out, const Metrics& m) {
  std::string header, row;
  for (const auto& f : metric_fields()) {
    if (f.csv.empty()) continue;
    if (!header.empty()) {
      header += ',';
      row += ',';
    }
    header += f.csv;
    row += quoted(text(f.get(m)));
  }
  out << header << '\n' << row << '\n';
}

}  // namespace allocsim::sim
