#include "sim/report/compare_runs.hpp"

#include <fmt/core.h>

#include <map>

#include "sim/metrics/fields.hpp"
#include "sim/metrics/metric_table.hpp"
#include "sim/report/format.hpp"

namespace allocsim::sim {

namespace {

using Flat = std::map<std::string, nlohmann::json>;

// Leaves of `j` under `prefix` ("run.config.queue_initial"). Arrays stay whole:
// a config list compares as one value, a sample series is not a figure.
void flatten(const nlohmann::json& j, const std::string& prefix, Flat& out) {
  if (j.is_object()) {
    for (const auto& item : j.items()) flatten(item.value(), prefix + "." + item.key(), out);
  } else {
    out[prefix] = j;
  }
}

Flat flatten_section(const nlohmann::json& doc, const char* section) {
  Flat out;
  if (doc.contains(section)) flatten(doc.at(section), section, out);
  return out;
}

// The run's numeric figures outside its identity, by name (figure_name).
std::map<std::string, double> figures(const Metrics& m) {
  std::map<std::string, double> out;
  for (const auto& f : metric_fields()) {
    if (f.pointer.starts_with("/run/")) continue;
    const auto v = f.get(m);
    if (v.is_number()) out[figure_name(f.pointer)] = v.get<double>();
    else if (v.is_boolean()) out[figure_name(f.pointer)] = v.get<bool>() ? 1.0 : 0.0;
  }
  return out;
}

std::optional<double> number(const std::map<std::string, double>& f, const std::string& name) {
  const auto it = f.find(name);
  return it == f.end() ? std::nullopt : std::optional(it->second);
}

// The unit of a figure that is one of the key metrics, for human display.
std::optional<MetricUnit> unit_of(const std::string& name) {
  for (const auto& m : key_metrics())
    if (figure_name(m.pointer) == name) return m.unit;
  return std::nullopt;
}

std::string shown(const std::optional<double>& v, const std::string& name) {
  if (!v) return "-";
  if (const auto u = unit_of(name)) return human_value(*v, *u);
  return csv_number(v);
}

Metrics read_figures(const nlohmann::json& doc, const std::string& file) {
  try {
    return metrics_from_json(doc);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(file + ": " + e.what());
  }
}

}  // namespace

RunDiff diff_runs(const nlohmann::json& a, const nlohmann::json& b, std::string a_file, std::string b_file) {
  RunDiff d{std::move(a_file), std::move(b_file), {}, {}};
  const Flat ca = flatten_section(a, "run"), cb = flatten_section(b, "run");
  Flat keys = ca;
  keys.insert(cb.begin(), cb.end());
  for (const auto& [key, unused] : keys) {
    const auto ia = ca.find(key), ib = cb.find(key);
    const std::string va = ia == ca.end() ? "(absent)" : ia->second.dump();
    const std::string vb = ib == cb.end() ? "(absent)" : ib->second.dump();
    if (va != vb) d.config.push_back({key, va, vb});
  }
  const Metrics fa = read_figures(a, d.a_file), fb = read_figures(b, d.b_file);
  const auto ma = figures(fa), mb = figures(fb);
  // A simulated RSS and a measured one are different things: no change between them.
  const bool same_rss = fa.summary.rss_source == fb.summary.rss_source;
  auto names = ma;
  names.insert(mb.begin(), mb.end());
  for (const auto& [name, unused] : names) {
    MetricDifference m{name, number(ma, name), number(mb, name), {}, {}};
    const bool rss = name == figure_name("/summary/peak_rss_bytes") || name == figure_name("/summary/final_rss_bytes");
    if (m.a && m.b && (same_rss || !rss)) {
      m.delta = *m.b - *m.a;
      if (*m.a != 0) m.ratio = *m.b / *m.a;
    }
    d.metrics.push_back(std::move(m));
  }
  return d;
}

void print_run_diff_text(const RunDiff& d, std::ostream& out) {
  out << fmt::format("A: {}\nB: {}\n\n", d.a_file, d.b_file);
  if (d.config.empty()) {
    out << "run identity and config: identical\n";
  } else {
    TextTable t({"config key that differs", "A", "B"});
    for (const auto& c : d.config) t.add({c.key, c.a, c.b});
    t.print(out, 3);
  }
  out << '\n';
  TextTable t({"metric", "A", "B", "B-A", "B/A"});
  for (const auto& m : d.metrics) {
    const auto unit = unit_of(m.name);
    std::string change = m.delta ? csv_number(m.delta) : "";
    if (unit && m.delta) change = human_change(m.b, m.a, *unit);
    t.add({m.name, shown(m.a, m.name), shown(m.b, m.name), change, m.ratio ? fmt::format("{:.4f}", *m.ratio) : ""});
  }
  t.print(out, 1);
}

void print_run_diff_csv(const RunDiff& d, std::ostream& out) {
  out << "kind,name,a,b,delta,ratio\n";
  for (const auto& c : d.config) out << "config," << csv_field(c.key) << ',' << csv_field(c.a) << ',' << csv_field(c.b) << ",,\n";
  for (const auto& m : d.metrics)
    out << "metric," << csv_field(m.name) << ',' << csv_number(m.a) << ',' << csv_number(m.b) << ','
        << csv_number(m.delta) << ',' << csv_number(m.ratio) << '\n';
}

nlohmann::ordered_json run_diff_json(const RunDiff& d) {
  auto opt = [](const std::optional<double>& v) { return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr); };
  nlohmann::ordered_json j;
  j["schema"] = "allocsim-run-diff/1";
  j["a"] = d.a_file;
  j["b"] = d.b_file;
  j["config_differences"] = nlohmann::ordered_json::array();
  for (const auto& c : d.config) j["config_differences"].push_back({{"key", c.key}, {"a", c.a}, {"b", c.b}});
  j["metrics"] = nlohmann::ordered_json::array();
  for (const auto& m : d.metrics)
    j["metrics"].push_back({{"name", m.name}, {"a", opt(m.a)}, {"b", opt(m.b)}, {"delta", opt(m.delta)}, {"ratio", opt(m.ratio)}});
  return j;
}

}  // namespace allocsim::sim
