#include "sim/cli/trace_options.hpp"

#include <fmt/format.h>

#include <cstdio>

#include <stdexcept>

namespace allocsim::sim {

void add_trace_read_options(boost::program_options::options_description& options, TraceReadArgs& a) {
  namespace po = boost::program_options;
  options.add_options()
      ("format", po::value(&a.format)->default_value(a.format)->value_name("F"),
       "input format: auto, heaptrack, heaptrack-raw, ltrace, mtrace, csv, native")
      ("strict", po::bool_switch(&a.strict), "make every repair of the input (unknown free, reuse of a live pointer, ...) an error")
      ("free-order", po::value(&a.free_order)->default_value(a.free_order)->value_name("lifo|fifo"),
       "heaptrack interpreted files: which live object of a (size, call site) class a free ends");
}

traces::ReadOptions to_read_options(const TraceReadArgs& a) {
  traces::ReadOptions r;
  r.format = traces::parse_format(a.format);
  r.strict = a.strict;
  if (a.free_order == "lifo") r.interpreted_free = traces::ReadOptions::FreeChoice::Lifo;
  else if (a.free_order == "fifo") r.interpreted_free = traces::ReadOptions::FreeChoice::Fifo;
  else throw std::invalid_argument(fmt::format("--free-order '{}' is not lifo or fifo", a.free_order));
  return r;
}

void warn_repairs(std::string_view command, const traces::EventReader& reader) {
  const traces::TraceInfo& info = reader.info();
  const traces::AnomalyReport& report = reader.anomalies();
  // Binary formats count places in bytes, text formats in lines (traces/anomalies.hpp).
  const bool bytes = info.format == traces::Format::Native;
  for (int k = 0; k < traces::kAnomalyKinds; ++k) {
    const auto kind = static_cast<traces::Anomaly>(k);
    if (!traces::anomaly_is_repair(kind) || report.counts[k] == 0) continue;
    const std::uint64_t at = report.samples[k].empty() ? 0 : report.samples[k].front().line;
    fmt::print(stderr, "allocsim {}: warning: {}{}{}: {}, the first of {} ({}); --strict makes these errors\n", command,
               info.path, bytes ? " byte " : ":", at, traces::anomaly_name(kind), report.counts[k],
               traces::anomaly_meaning(kind));
  }
}

}  // namespace allocsim::sim
