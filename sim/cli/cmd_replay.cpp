// allocsim replay TRACE [--policy NAME | --config FILE] [--set key=value ...]
//                 [--mode virtual|threaded] [--backend core|system] [-o FILE]... [--to text|csv|json]
#include <fmt/core.h>
#include <fmt/ostream.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

#include "allocator/config.hpp"
#include "sim/cli/command_line.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/output_options.hpp"
#include "sim/metrics/metrics_io.hpp"
#include "sim/common/paths.hpp"
#include "sim/replay/replay.hpp"
#include "sim/cli/trace_options.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::sim {
namespace {

namespace po = boost::program_options;

struct ReplayArgs {
  std::string trace, policy, config, mode = "virtual", backend = "core";
  std::vector<std::string> sets;
  OutputArgs out;
  TraceReadArgs read;
};

std::string knob_help() {
  std::string text = "Replay knobs (--set key=value or a --config line; allocator knobs: allocsim knobs):\n";
  for (const auto& k : replay_knobs()) text += fmt::format("  {:<18} {:<9} {}\n", k.name, k.default_value, k.meaning);
  return text;
}

ReplayRequest request_from(const ReplayArgs& a) {
  ReplayRequest r;
  r.trace = a.trace;
  r.read = to_read_options(a.read);
  const auto mode = parse_kind<ReplayMode>(a.mode);
  if (!mode) throw std::invalid_argument(fmt::format("--mode '{}' is not {}", a.mode, kind_choices<ReplayMode>()));
  const auto backend = parse_kind<BackendKind>(a.backend);
  if (!backend) throw std::invalid_argument(fmt::format("--backend '{}' is not {}", a.backend, kind_choices<BackendKind>()));
  r.mode = *mode;
  r.backend = *backend;
  if (r.backend == BackendKind::System && !a.policy.empty())
    throw std::invalid_argument("--policy applies to the core backend, not to --backend system");
  r.config = load_run_config(a.policy, a.config, a.sets, policies_dir());
  r.progress = ::isatty(STDERR_FILENO) == 1;
  r.after_read = [](const traces::EventReader& reader) { warn_repairs("replay", reader); };
  return r;
}

// The text form of the metrics: a few lines for a person.
void print_summary(const Metrics& m, std::ostream& out) {
  const Summary& s = m.summary;
  fmt::print(out, "replayed {} events of {} ({} mode, {} {}, {})\n", s.events, m.run.trace, m.run.mode, m.run.backend,
             m.run.allocator.name, m.run.policy.value_or("no policy"));
  fmt::print(out, "live bytes: peak {}, final {}; footprint: peak {}, final {}; {} RSS peak {}{}\n", s.peak_live_bytes,
             s.final_live_bytes, s.peak_footprint_bytes, s.final_footprint_bytes, s.rss_source, s.peak_rss_bytes,
             s.rss_source == "measured" ? fmt::format(" above the {} before the first event", m.host.baseline_rss_bytes) : "");
  if (s.fallback_allocations)
    fmt::print(out, "fallbacks {} ({:.4f}%), queue grows {}, reclaims {}\n", *s.fallback_allocations,
               100 * s.fallback_rate.value_or(0), s.queue_grow_events.value_or(0), s.queue_reclaim_events.value_or(0));
  if (m.throughput && m.latency)
    fmt::print(out, "throughput {:.0f} ops/s; latency p50 {} ns, p99 {} ns, max {} ns\n", m.throughput->ops_per_second,
               m.latency->p50_ns, m.latency->p99_ns, m.latency->max_ns);
  if (s.check_ok) fmt::print(out, "heap check: {}\n", *s.check_ok ? "ok" : "FAILED");
  fmt::print(out, "{:.3f} s wall\n", m.host.wall_seconds);
}

int run(const ReplayArgs& a) {
  const auto outputs = report_outputs(a.out, {ReportFormat::Text, ReportFormat::Csv, ReportFormat::Json});
  const ReplayRequest request = request_from(a);
  const Metrics m = replay(request);
  for (const auto& o : outputs)
    emit(o, [&](std::ostream& out) {
      if (o.format == ReportFormat::Json) out << metrics_json(m).dump(1) << '\n';
      else if (o.format == ReportFormat::Csv) write_csv(out, m);
      else print_summary(m, out);
    });
  // stdout holds only the report asked for; with -o, the summary is a message.
  if (!a.out.paths.empty()) print_summary(m, std::cerr);
  if (m.summary.check_ok == false) {
    fmt::print(stderr, "allocsim replay: heap check failed: {}\n", m.summary.check_report.value_or(""));
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

int cmd_replay(const std::vector<std::string>& args) {
  ReplayArgs a;
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "this text")
      ("policy", po::value(&a.policy)->value_name("NAME"), "allocator policy preset (configs/policies/NAME.ini) or .ini path (default adaptive)")
      ("config", po::value(&a.config)->value_name("FILE"), "INI file of allocator and replay knobs, applied over the policy")
      ("set", po::value(&a.sets)->composing()->value_name("KEY=VALUE"), "set one knob (allocator or replay), applied last; repeatable")
      ("mode", po::value(&a.mode)->default_value(a.mode)->value_name("M"), "virtual (deterministic, virtual clock) or threaded (real threads)")
      ("backend", po::value(&a.backend)->default_value(a.backend)->value_name("B"), "core (the ready-queue allocator) or system (this process's malloc)");
  add_output_options(visible, a.out, "text, csv or json", true);
  add_trace_read_options(visible, a.read);
  if (parse_command_line(args, visible, "trace", a.trace)) {
    fmt::print("usage: allocsim replay TRACE [options]\n\n"
               "Replays a trace (heaptrack, ltrace, mtrace, csv, native) through the allocator core under a\n"
               "policy, or through the system allocator, and writes metrics: JSON (the whole document,\n"
               "docs/metrics.md), CSV (a header and one row) or text (a summary); e.g. -o run.json -o run.csv.\n"
               "The modes and the virtual cost model: docs/replay.md. Exit codes: 0 ok, 1 heap check failed,\n"
               "2 bad input or output (docs/cli.md).\n\n"
               "{}\n{}",
               options_text(visible), knob_help());
    return kExitOk;
  }
  if (a.trace.empty()) throw std::invalid_argument("missing TRACE (see allocsim replay --help)");
  return run(a);
}

}  // namespace allocsim::sim
