// allocsim stats TRACE [--json] [--format F] [--strict] [--free-order lifo|fifo]
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

#include "sim/commands.hpp"
#include "sim/trace_options.hpp"
#include "sim/trace_stats_report.hpp"
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
  visible.add_options()("help,h", "this text")("json", po::bool_switch(&a.json), "print JSON (schema: sim/trace_stats_report.hpp)");
  add_trace_read_options(visible, a.read);
  po::options_description all;
  all.add(visible).add_options()("trace", po::value(&a.trace));
  po::positional_options_description positional;
  positional.add("trace", 1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(std::vector<std::string>(args.begin() + 1, args.end()))
                  .options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::ostringstream text;
      text << visible;
      fmt::print("usage: allocsim stats TRACE [options]\n\n"
                 "Reads a trace of any format once and prints its counts, peak and final live bytes,\n"
                 "temporary allocations, cross-thread and unknown frees, size and lifetime histograms\n"
                 "and what the reader repaired. For heaptrack files also heaptrack_print's figures.\n\n{}",
                 text.str());
      return kExitOk;
    }
    po::notify(vm);
    if (a.trace.empty()) throw std::invalid_argument("missing TRACE (see allocsim stats --help)");
    return run(a);
  } catch (const po::error& e) {
    fmt::print(stderr, "allocsim stats: {}\n", e.what());
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "allocsim stats: {}\n", e.what());
  } catch (const traces::TraceError& e) {
    fmt::print(stderr, "allocsim stats: {}\n", e.what());
  }
  return kExitBadInput;
}

}  // namespace allocsim::sim
