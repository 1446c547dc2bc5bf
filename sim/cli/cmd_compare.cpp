// allocsim compare DIR [--baseline POLICY] [--format text|csv|json] [-o FILE]
// allocsim compare A.json B.json [--format text|csv|json] [-o FILE]
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "sim/common/atomic_file.hpp"
#include "sim/cli/command_line.hpp"
#include "sim/cli/commands.hpp"
#include "sim/report/compare_print.hpp"
#include "sim/report/compare_runs.hpp"
#include "sim/report/compare_table.hpp"

namespace allocsim::sim {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

struct CompareArgs {
  std::vector<std::string> inputs;
  std::string baseline, format = "text", output;
};

// Prints to stdout, or writes -o FILE whole.
void emit(const CompareArgs& a, const std::function<void(std::ostream&)>& write) {
  if (a.output.empty()) write(std::cout);
  else write_file_atomic(a.output, write);
}

int compare_dir(const CompareArgs& a) {
  const SweepResults results = load_sweep_results(a.inputs[0]);
  const Comparison c = compare_sweep(results, a.baseline.empty() ? results.plan.baseline : a.baseline);
  emit(a, [&](std::ostream& out) {
    if (a.format == "csv") print_comparison_csv(c, out);
    else if (a.format == "json") out << comparison_json(c).dump(2) << '\n';
    else print_comparison_text(c, out);
  });
  return kExitOk;
}

int compare_files(const CompareArgs& a) {
  if (!a.baseline.empty()) throw std::invalid_argument("--baseline applies to a sweep directory, not to two files");
  const RunDiff d = diff_runs(read_metrics_file(a.inputs[0]), read_metrics_file(a.inputs[1]), a.inputs[0], a.inputs[1]);
  emit(a, [&](std::ostream& out) {
    if (a.format == "csv") print_run_diff_csv(d, out);
    else if (a.format == "json") out << run_diff_json(d).dump(2) << '\n';
    else print_run_diff_text(d, out);
  });
  return kExitOk;
}

void print_help(const po::options_description& visible) {
  std::ostringstream text;
  text << visible;
  fmt::print("usage: allocsim compare DIR [--baseline POLICY] [--format text|csv|json] [-o FILE]\n"
             "       allocsim compare A.json B.json [--format text|csv|json] [-o FILE]\n\n"
             "DIR (a sweep directory): per trace, each policy's peak RSS, footprint, fragmentation,\n"
             "fallback rate, queue memory, collector work and throughput, averaged over repetitions,\n"
             "with deltas and ratios against the baseline (default: the spec's \"baseline\").\n"
             "A.json B.json (two `allocsim replay -o` files): every figure side by side, and the\n"
             "config keys that differ. Formats: docs/reports.md.\n\n{}",
             text.str());
}

}  // namespace

int cmd_compare(const std::vector<std::string>& args) {
  CompareArgs a;
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "this text")
      ("baseline", po::value(&a.baseline)->value_name("POLICY"), "policy or system allocator to measure against")
      ("format", po::value(&a.format)->default_value(a.format), "text, csv or json")
      ("output,o", po::value(&a.output)->value_name("FILE"), "write here instead of stdout");
  if (parse_command_line(args, visible, "input", a.inputs)) {
    print_help(visible);
    return kExitOk;
  }
  if (a.format != "text" && a.format != "csv" && a.format != "json")
    throw std::invalid_argument("--format '" + a.format + "': expected text, csv or json");
  if (a.inputs.size() == 1 && fs::is_directory(a.inputs[0])) return compare_dir(a);
  if (a.inputs.size() == 2) return compare_files(a);
  throw std::invalid_argument("expected a sweep directory, or two metrics files (see allocsim compare --help)");
}

}  // namespace allocsim::sim
