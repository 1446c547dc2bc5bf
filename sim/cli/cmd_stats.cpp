// allocsim stats TRACE [--json] [--format F] [--strict] [--free-order lifo|fifo]
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

#include "sim/cli/command_line.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/trace_options.hpp"
#include "sim/report/trace_stats_report.hpp"
#include "traces/trace_error.hpp"
#include "traces/trace_stats.hpp"

namespace allocsim::sim {
namespace {

namespace po = boost::program_options;

struct StatsArgs {
  std::string trace;
  bool json = false;
  TraceReadArgs read;
};

int run(const StatsArgs& a) {
  auto reader = traces::open_trace(a.trace, to_read_options(a.read));
  const traces::TraceStats stats = traces::trace_stats(*reader);
  if (a.json) std::cout << trace_stats_json(stats).dump(2) << '\n';
  else print_trace_stats(stats, std::cout);
  return kExitOk;
}

}  // namespace

int cmd_stats(const std::vector<std::string>& args) {
  StatsArgs a;
  po::options_description visible("Options");
  visible.add_options()("help,h", "this text")("json", po::bool_switch(&a.json), "print JSON (schema: sim/report/trace_stats_report.hpp)");
  add_trace_read_options(visible, a.read);
  if (parse_command_line(args, visible, "trace", a.trace)) {
    fmt::print("usage: allocsim stats TRACE [options]\n\n"
               "Reads a trace of any format once and prints its counts, peak and final live bytes,\n"
               "temporary allocations, cross-thread and unknown frees, size and lifetime histograms\n"
               "and what the reader repaired. For heaptrack files also heaptrack_print's figures.\n\n{}",
               options_text(visible));
    return kExitOk;
  }
  if (a.trace.empty()) throw std::invalid_argument("missing TRACE (see allocsim stats --help)");
  return run(a);
}

}  // namespace allocsim::sim
