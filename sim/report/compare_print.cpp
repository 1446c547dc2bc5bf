#include "sim/report/compare_print.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "sim/report/format.hpp"

namespace allocsim::sim {

namespace {

std::string knob_value(const CompareRow& row, const std::string& knob) {
  for (const auto& [k, v] : row.knobs)
    if (k == knob) return v;
  return "";
}

// Knob columns worth showing for one trace: those whose values differ between its rows.
std::vector<std::string> varying_knobs(const Comparison& c, const TraceComparison& t) {
  std::vector<std::string> out;
  for (const auto& k : c.knob_names) {
    const std::string first = t.rows.empty() ? "" : knob_value(t.rows.front(), k);
    if (std::any_of(t.rows.begin(), t.rows.end(), [&](const CompareRow& r) { return knob_value(r, k) != first; }))
      out.push_back(k);
  }
  return out;
}

// The mean, its spread over the runs when they differ at the shown precision ("[min..max]"),
// and its change against the baseline row.
std::string text_cell(const CompareRow& row, std::size_t self, std::size_t m) {
  const CompareCell& cell = row.cells[m];
  if (!cell.value) return row.runs ? "-" : "failed";
  const MetricUnit unit = key_metrics()[m].unit;
  std::string text = human_value(*cell.value, unit);
  if (cell.values > 1) {
    const std::string low = human_value(*cell.min, unit), high = human_value(*cell.max, unit);
    if (low != high) text += " [" + low + ".." + high + "]";
  }
  if (row.baseline_row && row.baseline_row != self) {
    const std::string change = human_change(cell.value, cell.baseline, unit);
    if (!change.empty()) text += " " + change;
  }
  return text;
}

// "adaptive virtual queue_initial=64": names a row in CSV and JSON.
std::string row_name(const CompareRow& row) {
  std::string name = row.label + " " + row.mode;
  for (const auto& [k, v] : row.knobs) name += " " + k + "=" + v;
  return name;
}

nlohmann::ordered_json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

void print_comparison_text(const Comparison& c, std::ostream& out) {
  const auto& metrics = key_metrics();
  for (const auto& t : c.traces) {
    out << fmt::format("\n{}   (changes against {})\n", t.trace, c.baseline);
    const auto knobs = varying_knobs(c, t);
    std::vector<std::string> header{"policy", "mode"};
    header.insert(header.end(), knobs.begin(), knobs.end());
    header.push_back("runs");
    std::vector<std::size_t> shown;
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const bool any = std::any_of(t.rows.begin(), t.rows.end(), [&](const CompareRow& r) { return r.cells[m].value.has_value(); });
      if (metrics[m].in_text_table && any) shown.push_back(m), header.emplace_back(metrics[m].title);
    }
    TextTable table(header);
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      const CompareRow& row = t.rows[i];
      std::vector<std::string> cells{row.label + (row.is_baseline ? " *" : ""), row.mode};
      for (const auto& k : knobs) cells.push_back(knob_value(row, k));
      cells.push_back(row.failed ? fmt::format("{}/{}", row.runs, row.runs + row.failed) : std::to_string(row.runs));
      for (auto m : shown) cells.push_back(text_cell(row, i, m));
      table.add(std::move(cells));
    }
    table.print(out, 2 + knobs.size());
  }
  out << "\n* a baseline row. Values are means over the runs, [min..max] when they differ. Changes: relative\n"
         "for sizes, counts and rates; percentage points (pp) for fragmentation and fallback rate. sim RSS is\n"
         "simulated (virtual mode, core); measured RSS is the process's peak above its RSS before the first event\n"
         "(threaded mode, system allocators). The two are never compared with each other.\n";
  for (const auto& n : c.notes) out << "note: " << n << '\n';
}

void print_comparison_csv(const Comparison& c, std::ostream& out) {
  std::vector<std::string> header{"trace", "label", "backend", "mode"};
  header.insert(header.end(), c.knob_names.begin(), c.knob_names.end());
  for (const char* h : {"runs", "failed", "baseline", "is_baseline"}) header.emplace_back(h);
  for (const auto& m : key_metrics())
    for (const char* suffix : {"", "_min", "_max", "_baseline", "_delta", "_ratio"}) header.push_back(std::string(m.name) + suffix);
  for (std::size_t i = 0; i < header.size(); ++i) out << (i ? "," : "") << header[i];
  out << '\n';
  for (const auto& t : c.traces)
    for (const auto& row : t.rows) {
      std::vector<std::string> f{t.trace, row.label, row.backend, row.mode};
      for (const auto& k : c.knob_names) f.push_back(knob_value(row, k));
      f.push_back(std::to_string(row.runs));
      f.push_back(std::to_string(row.failed));
      f.push_back(row.baseline_row ? row_name(t.rows[*row.baseline_row]) : "");
      f.push_back(row.is_baseline ? "true" : "false");
      for (const auto& cell : row.cells)
        for (const auto& v : {cell.value, cell.min, cell.max, cell.baseline, cell.delta, cell.ratio}) f.push_back(csv_number(v));
      for (std::size_t i = 0; i < f.size(); ++i) out << (i ? "," : "") << csv_field(f[i]);
      out << '\n';
    }
}

nlohmann::ordered_json comparison_json(const Comparison& c) {
  nlohmann::ordered_json j;
  j["schema"] = "allocsim-comparison/1";
  j["baseline"] = c.baseline;
  j["knobs"] = c.knob_names;
  j["traces"] = nlohmann::ordered_json::array();
  for (const auto& t : c.traces) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& row : t.rows) {
      nlohmann::ordered_json r;
      r["label"] = row.label;
      r["backend"] = row.backend;
      r["mode"] = row.mode;
      r["knobs"] = nlohmann::ordered_json::object();
      for (const auto& [k, v] : row.knobs) r["knobs"][k] = v;
      r["runs"] = row.runs;
      r["failed"] = row.failed;
      r["is_baseline"] = row.is_baseline;
      r["baseline"] = row.baseline_row ? nlohmann::ordered_json(row_name(t.rows[*row.baseline_row])) : nlohmann::ordered_json(nullptr);
      r["metrics"] = nlohmann::ordered_json::object();
      for (std::size_t m = 0; m < row.cells.size(); ++m) {
        const CompareCell& cell = row.cells[m];
        r["metrics"][std::string(key_metrics()[m].name)] = {{"value", optional_json(cell.value)},
                                                            {"min", optional_json(cell.min)},
                                                            {"max", optional_json(cell.max)},
                                                            {"baseline", optional_json(cell.baseline)},
                                                            {"delta", optional_json(cell.delta)},
                                                            {"ratio", optional_json(cell.ratio)}};
      }
      rows.push_back(std::move(r));
    }
    j["traces"].push_back({{"trace", t.trace}, {"rows", std::move(rows)}});
  }
  j["notes"] = c.notes;
  return j;
}

}  // namespace allocsim::sim
