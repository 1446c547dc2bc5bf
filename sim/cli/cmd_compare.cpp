// allocsim compare DIR [--baseline POLICY] [-o FILE] [--to text|csv|json]
// allocsim compare A.json B.json [-o FILE] [--to text|csv|json]
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <sstream>

#include "sim/cli/command_line.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/output_options.hpp"
#include "sim/report/compare_print.hpp"
#include "sim/report/compare_runs.hpp"
#include "sim/report/compare_table.hpp"

namespace allocsim::sim {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

struct CompareArgs {
  std::vector<std::string> inputs;
  std::string baseline;
  OutputArgs out;
};

int compare_dir(const CompareArgs& a, const ReportOutput& o) {
  const SweepResults results = load_sweep_results(a.inputs[0]);
  const Comparison c = compare_sweep(results, a.baseline.empty() ? results.plan.baseline : a.baseline);
  emit(o, [&](std::ostream& out) {
    if (o.format == ReportFormat::Csv) print_comparison_csv(c, out);
    else if (o.format == ReportFormat::Json) out << comparison_json(c).dump(2) << '\n';
    else print_comparison_text(c, out);
  });
  return kExitOk;
}

int compare_files(const CompareArgs& a, const ReportOutput& o) {
  if (!a.baseline.empty()) throw std::invalid_argument("--baseline applies to a sweep directory, not to two files");
  const RunDiff d = diff_runs(read_metrics_file(a.inputs[0]), read_metrics_file(a.inputs[1]), a.inputs[0], a.inputs[1]);
  emit(o, [&](std::ostream& out) {
    if (o.format == ReportFormat::Csv) print_run_diff_csv(d, out);
    else if (o.format == ReportFormat::Json) out << run_diff_json(d).dump(2) << '\n';
    else print_run_diff_text(d, out);
  });
  return kExitOk;
}

void print_help(const po::options_description& visible) {
  std::ostringstream text;
  text << visible;
  fmt::print("usage: allocsim compare DIR [--baseline POLICY] [-o FILE] [--to text|csv|json]\n"
             "       allocsim compare A.json B.json [-o FILE] [--to text|csv|json]\n\n"
             "DIR (a sweep directory): per trace, each policy's peak RSS, footprint, fragmentation,\n"
             "fallback rate, queue memory, collector work and throughput, averaged over repetitions,\n"
             "with deltas and ratios against the baseline (default: the spec's \"baseline\").\n"
             "A.json B.json (two `allocsim replay -o` files): every figure side by side, and the\n"
             "config keys that differ. Columns and formats: docs/reports.md; conventions: docs/cli.md.\n\n{}",
             text.str());
}

}  // namespace

int cmd_compare(const std::vector<std::string>& args) {
  CompareArgs a;
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "this text")
      ("baseline", po::value(&a.baseline)->value_name("POLICY"), "policy or system allocator to measure against");
  add_output_options(visible, a.out, "text, csv or json");
  if (parse_command_line(args, visible, "input", a.inputs)) {
    print_help(visible);
    return kExitOk;
  }
  const bool sweep_dir = a.inputs.size() == 1 && fs::is_directory(a.inputs[0]);
  if (!sweep_dir && a.inputs.size() != 2)
    throw std::invalid_argument("expected a sweep directory, or two metrics files (see allocsim compare --help)");
  const ReportOutput o =
      report_outputs(a.out, {ReportFormat::Text, ReportFormat::Csv, ReportFormat::Json}).front();
  return sweep_dir ? compare_dir(a, o) : compare_files(a, o);
}

}  // namespace allocsim::sim
