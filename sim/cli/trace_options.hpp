#pragma once
// The trace-reading options every subcommand that opens a trace shares
// (--format, --strict, --free-order), so they read the same everywhere.
#include <boost/program_options.hpp>
#include <string>

#include "traces/event_reader.hpp"

namespace allocsim::sim {

struct TraceReadArgs {
  std::string format = "auto";
  bool strict = false;
  std::string free_order = "lifo";
};

void add_trace_read_options(boost::program_options::options_description& options, TraceReadArgs& args);
// Throws std::invalid_argument naming the bad value.
traces::ReadOptions to_read_options(const TraceReadArgs& args);

}  // namespace allocsim::sim
