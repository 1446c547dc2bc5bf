#include "sim/cli/output_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "sim/common/atomic_file.hpp"

namespace allocsim::sim {
namespace {

namespace po = boost::program_options;

constexpr std::pair<ReportFormat, std::string_view> kNames[] = {
    {ReportFormat::Text, "text"}, {ReportFormat::Csv, "csv"}, {ReportFormat::Json, "json"}};

std::string_view name_of(ReportFormat f) {
  for (const auto& [format, name] : kNames)
    if (format == f) return name;
  return "?";
}

std::string choices(const std::vector<ReportFormat>& allowed) {
  std::string out;
  for (std::size_t i = 0; i < allowed.size(); ++i)
    out += fmt::format("{}{}", i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ", name_of(allowed[i]));
  return out;
}

ReportFormat from_name(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".json") return ReportFormat::Json;
  if (ext == ".csv") return ReportFormat::Csv;
  return ReportFormat::Text;
}

}  // namespace

void add_output_options(po::options_description& options, OutputArgs& args, std::string_view formats, bool repeatable) {
  auto* paths = po::value(&args.paths)->value_name("FILE");
  if (repeatable) paths->composing();
  options.add_options()
      ("output,o", paths,
       repeatable ? "write the report here, in the format its name says (.json, .csv, else text); repeatable"
                  : "write the report here (atomically), in the format its name says (.json, .csv, else text)")
      ("to", po::value(&args.to)->value_name("FORMAT"),
       fmt::format("report format instead of the name's ({}); without -o: stdout's (default text)", formats).c_str());
}

std::vector<ReportOutput> report_outputs(const OutputArgs& args, const std::vector<ReportFormat>& allowed) {
  std::optional<ReportFormat> to;
  if (!args.to.empty()) {
    for (const auto& [format, name] : kNames)
      if (name == args.to) to = format;
    if (!to || std::find(allowed.begin(), allowed.end(), *to) == allowed.end())
      throw std::invalid_argument(fmt::format("--to {}: expected {}", args.to, choices(allowed)));
  }
  std::vector<ReportOutput> outs;
  if (args.paths.empty()) outs.push_back({"", to.value_or(ReportFormat::Text)});
  for (const auto& p : args.paths) {
    const ReportFormat f = to.value_or(from_name(p));
    if (std::find(allowed.begin(), allowed.end(), f) == allowed.end())
      throw std::invalid_argument(fmt::format("-o {}: the name asks for {}, but this command writes {} (or use --to)", p,
                                              name_of(f), choices(allowed)));
    outs.push_back({p, f});
  }
  for (const auto& o : outs)
    if (!o.path.empty()) check_writable(o.path);
  return outs;
}

void emit(const ReportOutput& out, const std::function<void(std::ostream&)>& write) {
  if (out.path.empty()) write(std::cout);
  else write_file_atomic(out.path, write);
}

}  // namespace allocsim::sim
