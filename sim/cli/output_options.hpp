#pragma once
// Where a report goes and in which format, the same in every command that
// writes one (stats, replay, compare; docs/cli.md): -o PATH takes the
// format from PATH's name (.json JSON, .csv CSV, anything else text),
// --to FORMAT overrides it; without -o the report goes to stdout, as text
// unless --to says otherwise. Outputs are checked before the work starts
// and written atomically.
#include <boost/program_options.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace allocsim::sim {

enum class ReportFormat { Text, Csv, Json };

struct ReportOutput {
  std::string path;  // "" = stdout
  ReportFormat format = ReportFormat::Text;
};

struct OutputArgs {
  std::vector<std::string> paths;  // -o, repeatable only where a command says so
  std::string to;                  // --to; "" = by name
};

// -o (one, or several when `repeatable`) and --to, offering the formats in
// `formats` ("text or json").
void add_output_options(boost::program_options::options_description& options, OutputArgs& args,
                        std::string_view formats, bool repeatable = false);

// The outputs asked for, each with its format; stdout when no -o. Throws
// std::invalid_argument for a format not in `allowed`, and OutputError for
// a path that cannot be written (sim/common/atomic_file.hpp: check_writable).
std::vector<ReportOutput> report_outputs(const OutputArgs& args, const std::vector<ReportFormat>& allowed);

// Writes one output: stdout, or the file whole.
void emit(const ReportOutput& out, const std::function<void(std::ostream&)>& write);

}  // namespace allocsim::sim
