// allocsim stats TRACE [-o FILE] [--to text|json] [--format F] [--strict] [--free-order lifo|fifo]
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <sstream>

#include "sim/cli/command_line.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/output_options.hpp"
#include "sim/cli/trace_options.hpp"
#include "sim/report/trace_stats_report.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_stats.hpp"

namespace allocsim::sim {
namespace {

namespace po = boost::program_options;

struct StatsArgs {
  std::string trace;
  OutputArgs out;
  TraceReadArgs read;
};

int run(const StatsArgs& a) {
  const auto outputs = report_outputs(a.out, {ReportFormat::Text, ReportFormat::Json});
  auto reader = traces::open_trace(a.trace, to_read_options(a.read));
  const traces::TraceStats stats = traces::trace_stats(*reader);
  warn_repairs("stats", *reader);
  for (const auto& o : outputs)
    emit(o, [&](std::ostream& out) {
      if (o.format == ReportFormat::Json) out << trace_stats_json(stats).dump(2) << '\n';
      else print_trace_stats(stats, out);
    });
  return kExitOk;
}

}  // namespace

int cmd_stats(const std::vector<std::string>& args) {
  StatsArgs a;
  po::options_description visible("Options");
  visible.add_options()("help,h", "this text");
  add_output_options(visible, a.out, "text or json");
  add_trace_read_options(visible, a.read);
  if (parse_command_line(args, visible, "trace", a.trace)) {
    fmt::print("usage: allocsim stats TRACE [options]\n\n"
               "Reads a trace of any format once and prints its counts, peak and final live bytes,\n"
               "temporary allocations, cross-thread and unknown frees, size and lifetime histograms\n"
               "and what the reader repaired. For heaptrack files also heaptrack_print's figures.\n"
               "JSON: docs/trace-stats.md. Conventions, exit codes: docs/cli.md.\n\n{}",
               options_text(visible));
    return kExitOk;
  }
  if (a.trace.empty()) throw std::invalid_argument("missing TRACE (see allocsim stats --help)");
  return run(a);
}

}  // namespace allocsim::sim
