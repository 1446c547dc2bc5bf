#pragma once
// The trace-reading options every subcommand that opens a trace shares
// (--format, --strict, --free-order), so they read the same everywhere,
// and the warning that says what a reader repaired when --strict was not given.
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

// Prints one line on stderr per kind of repair the reader made (count,
// meaning, the first place), so that no command repairs a trace silently.
// Nothing when there were none.
void warn_repairs(std::string_view command, const traces::EventReader& reader);

}  // namespace allocsim::sim
