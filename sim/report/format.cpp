#include "sim/report/format.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace allocsim::sim {

namespace {

std::string scaled(double v, const char* const* units, std::size_t n, double step, const char* sep) {
  std::size_t i = 0;
  while (std::fabs(v) >= step && i + 1 < n) v /= step, ++i;
  if (i == 0 && v == std::floor(v)) return fmt::format("{}{}{}", static_cast<long long>(v), sep, units[0]);
  return fmt::format("{:.{}f}{}{}", v, std::fabs(v) >= 100 ? 0 : std::fabs(v) >= 10 ? 1 : 2, sep, units[i]);
}

}  // namespace

std::string human_value(double v, MetricUnit unit) {
  static const char* bytes[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  static const char* counts[] = {"", "k", "M", "G", "T"};
  static const char* per_s[] = {"/s", "k/s", "M/s", "G/s"};
  static const char* ns[] = {"ns", "us", "ms", "s"};
  switch (unit) {
    case MetricUnit::Bytes: return scaled(v, bytes, 5, 1024, " ");
    case MetricUnit::Ratio:
    case MetricUnit::Fraction: return fmt::format("{:.2f}%", v * 100);
    case MetricUnit::Count: return scaled(v, counts, 5, 1000, "");
    case MetricUnit::PerSecond: return scaled(v, per_s, 4, 1000, "");
    case MetricUnit::Nanoseconds: return scaled(v, ns, 4, 1000, " ");
    case MetricUnit::Seconds: return fmt::format("{:.2f} s", v);
  }
  return fmt::format("{}", v);
}

std::string human_change(const std::optional<double>& value, const std::optional<double>& baseline, MetricUnit unit) {
  if (!value || !baseline) return "";
  if (unit == MetricUnit::Ratio || unit == MetricUnit::Fraction) {
    const double pp = (*value - *baseline) * 100;
    return std::fabs(pp) < 0.005 ? "=" : fmt::format("{:+.2f}pp", pp);
  }
  if (*baseline == 0) return *value == 0 ? "=" : "new";
  const double pct = (*value / *baseline - 1) * 100;
  return std::fabs(pct) < 0.05 ? "=" : fmt::format("{:+.1f}%", pct);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_number(const std::optional<double>& v) {
  if (!v) return "";
  if (*v == std::floor(*v) && std::fabs(*v) < 9e15) return fmt::format("{}", static_cast<long long>(*v));
  return fmt::format("{}", *v);  // the shortest text that reads back as the same double: CSV is for analysis
}

void TextTable::print(std::ostream& out, std::size_t left_columns) const {
  std::vector<std::size_t> width(header_.size());
  for (std::size_t i = 0; i < header_.size(); ++i) width[i] = header_[i].size();
  for (const auto& r : rows_)
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string text;
    for (std::size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < r.size() ? r[i] : "";
      const std::string pad(width[i] - cell.size(), ' ');
      text += (i ? "  " : "") + (i < left_columns ? cell + pad : pad + cell);
    }
    text.erase(text.find_last_not_of(' ') + 1);
    out << text << '\n';
  };
  line(header_);
  std::vector<std::string> rule;
  for (auto w : width) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& r : rows_) line(r);
}

}  // namespace allocsim::sim
