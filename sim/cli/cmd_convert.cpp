// allocsim convert IN -o OUT [--to native|csv] [--format F] [--strict] [--free-order lifo|fifo]
#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <sstream>
#include <vector>

#include "sim/cli/command_line.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/trace_options.hpp"
#include "traces/event_writer.hpp"
#include "traces/native_format.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::sim {
namespace {

namespace po = boost::program_options;

struct ConvertArgs {
  std::string input, output, to = "auto";
  TraceReadArgs read;
};

int run(const ConvertArgs& a) {
  const traces::Format to = traces::parse_format(a.to);
  if (to != traces::Format::Auto && to != traces::Format::Native && to != traces::Format::Csv)
    throw std::invalid_argument(fmt::format("--to {}: allocsim writes native or csv", a.to));
  auto reader = traces::open_trace(a.input, to_read_options(a.read));
  auto writer = traces::create_writer(a.output, to);
  std::vector<traces::Event> batch(1 << 14);
  std::uint64_t events = 0;
  while (const std::size_t n = reader->read(batch)) {
    writer->write(std::span<const traces::Event>(batch.data(), n));
    events += n;
  }
  // Page size, peak RSS and runtime are known only once the input is read.
  if (auto* native = dynamic_cast<traces::NativeWriter*>(writer.get())) native->set_info(reader->info());
  writer->finish();
  warn_repairs("convert", *reader);
  fmt::print(stderr, "allocsim convert: {} events, {} repairs, {} ({}) -> {}\n", events, reader->anomalies().repairs(),
             a.input, traces::format_name(reader->info().format), a.output);
  return kExitOk;
}

}  // namespace

int cmd_convert(const std::vector<std::string>& args) {
  ConvertArgs a;
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "this text")
      ("output,o", po::value(&a.output)->value_name("OUT"), "trace to write (required)")
      ("to", po::value(&a.to)->default_value(a.to)->value_name("native|csv"),
       "output format; auto: csv for a .csv/.txt name, native otherwise");
  add_trace_read_options(visible, a.read);
  if (parse_command_line(args, visible, "input", a.input)) {
    fmt::print("usage: allocsim convert IN -o OUT [options]\n\n"
               "Reads a trace of any format and writes it as allocsim's native binary format\n"
               "(docs/trace-format.md) or as CSV. The output appears only when complete.\n\n{}",
               options_text(visible));
    return kExitOk;
  }
  if (a.input.empty()) throw std::invalid_argument("missing IN (see allocsim convert --help)");
  if (a.output.empty()) throw std::invalid_argument("missing -o OUT");
  return run(a);
}

}  // namespace allocsim::sim
