// allocsim sweep SPEC -o DIR [-j N] [--shard k/n] [--resume] [--dry-run]
// allocsim sweep --merge DIR... -o OUT
#include <fmt/core.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include "sim/cli/command_line.hpp"
#include "sim/cli/commands.hpp"
#include "sim/report/format.hpp"
#include "sim/sweep/merge.hpp"
#include "sim/sweep/plan_io.hpp"
#include "sim/report/sweep_report.hpp"
#include "sim/sweep/runner.hpp"
#include "traces/event_reader.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::sim {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

volatile std::sig_atomic_t g_stop = 0;
void on_stop_signal(int sig) { g_stop = sig; }

// SIGINT/SIGTERM end the sweep cleanly while this is alive: no SA_RESTART,
// so the runner's wait returns and sees the flag.
class StopSignals {
 public:
  StopSignals() {
    g_stop = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

struct SweepArgs {
  std::string spec, output, shard;
  std::vector<std::string> merge;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool resume = false, dry_run = false, no_progress = false;
};

void parse_shard(const std::string& text, unsigned& k, unsigned& n) {
  char slash = 0;
  std::istringstream in(text);
  if (!(in >> k >> slash >> n) || slash != '/' || !in.eof() || n == 0 || k == 0 || k > n)
    throw std::invalid_argument("--shard '" + text + "': expected k/n with 1 <= k <= n (e.g. 2/8)");
}

// A trace no replay can read is the spec's fault, found here before any run
// starts rather than as failed runs: each is opened (its format detected)
// and its first records read. A fault further into a trace still fails its runs.
void check_traces(const SweepSpec& spec) {
  std::vector<traces::Event> batch(1024);
  for (const auto& t : spec.traces) {
    try {
      traces::open_trace(t.path)->read(batch);
    } catch (const traces::TraceError& e) {
      throw SpecError(fmt::format("{}: $.traces: {}", spec.file, e.what()));
    }
  }
}

void print_plan(const std::vector<PlannedRun>& runs) {
  TextTable table({"id", "label", "mode", "trace", "rep", "knobs"});
  for (const auto& r : runs) {
    std::string knobs;
    for (const auto& [k, v] : r.knobs) knobs += (knobs.empty() ? "" : " ") + k + "=" + v;
    table.add({r.id, r.label, std::string(to_string(r.mode)), r.trace.name, std::to_string(r.repetition), knobs});
  }
  table.print(std::cout, 6);
}

int merge(const SweepArgs& a) {
  const SweepDir target{a.output};
  SweepDirLock lock(target);  // one writer through the merge and its reports
  const MergeTally t = merge_sweeps(a.merge, target);
  write_sweep_reports(load_sweep_results(target.root));
  for (const auto& n : t.notes) fmt::print(stderr, "note: {}\n", n);
  fmt::print(stderr, "allocsim sweep: merged {} director{} into {}: {} runs planned, {} results copied, {} already there, {} failure records\n",
             a.merge.size(), a.merge.size() == 1 ? "y" : "ies", a.output, t.planned, t.copied, t.already_there, t.failed_records);
  return kExitOk;
}

int sweep(SweepArgs a) {
  const SweepDir dir{a.output};
  unsigned k = 1, n = 1;
  SweepSpec spec;
  if (a.spec.empty()) {  // --resume without SPEC: the spec as the sweep in DIR recorded it
    const PlanFile previous = read_plan(dir);
    spec = parse_sweep_spec(previous.spec_text, previous.spec_file);
    k = previous.shard_k, n = previous.shard_n;
  } else {
    spec = load_sweep_spec(a.spec);
  }
  if (!a.shard.empty()) parse_shard(a.shard, k, n);
  const SweepPlan plan = expand_sweep(spec);
  const auto mine = shard_runs(plan.runs, k, n);
  check_traces(spec);
  for (const auto& note : plan.notes) fmt::print(stderr, "note: {}\n", note);
  if (a.dry_run) {
    print_plan(mine);
    fmt::print(stderr, "allocsim sweep: {} runs (shard {}/{} of {})\n", mine.size(), k, n, plan.runs.size());
    return kExitOk;
  }
  SweepDirLock lock(dir);
  write_plan(dir, make_plan_file(spec, plan, k, n));
  std::error_code ec;
  RunnerOptions options{fs::read_symlink("/proc/self/exe", ec).string(), dir, static_cast<unsigned>(a.jobs),
                        !a.no_progress && ::isatty(2), &g_stop};
  RunnerTally tally;
  {
    StopSignals signals;
    tally = run_sweep_runs(mine, options);
  }
  write_sweep_reports(load_sweep_results(dir.root));
  fmt::print(stderr, "allocsim sweep: {}: {} runs: {} done ({} now), {} failed, {} not run; {} and {}\n", a.output, tally.planned,
             tally.already_done + tally.completed, tally.completed, tally.failed, tally.interrupted,
             dir.summary_csv(), dir.report_json());
  if (g_stop) return 128 + g_stop;
  return tally.failed ? kExitFailure : kExitOk;
}

void print_help(const po::options_description& visible) {
  std::ostringstream text;
  text << visible;
  fmt::print("usage: allocsim sweep SPEC -o DIR [-j N] [--shard k/n] [--resume] [--dry-run]\n"
             "       allocsim sweep --merge DIR... -o OUT\n\n"
             "Runs every run of a sweep spec (configs/sweeps/*.json, docs/sweep-spec.md) as its own\n"
             "`allocsim replay` process, -j at a time, into DIR/runs/<id>.json, then writes\n"
             "DIR/summary.csv and DIR/report.json (docs/reports.md). Rerunning the same command\n"
             "resumes: completed runs are skipped, failed and unfinished ones run again.\n"
             "Exit status: 0 all runs done, 1 some failed, 2 bad spec or arguments, 128+signal when stopped.\n\n{}",
             text.str());
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args) {
  SweepArgs a;
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "this text")
      ("output,o", po::value(&a.output)->value_name("DIR"), "sweep directory (required)")
      ("jobs,j", po::value(&a.jobs)->default_value(a.jobs), "runs at a time (default: the number of cores)")
      ("shard", po::value(&a.shard)->value_name("k/n"), "run only the k-th of n disjoint slices of the runs")
      ("resume", po::bool_switch(&a.resume), "continue the sweep recorded in DIR (SPEC may be omitted)")
      ("dry-run", po::bool_switch(&a.dry_run), "list the runs (of this shard) and stop")
      ("no-progress", po::bool_switch(&a.no_progress), "no progress line even on a terminal")
      ("merge", po::value(&a.merge)->multitoken()->value_name("DIR..."), "combine shard directories into -o OUT");
  if (parse_command_line(args, visible, "spec", a.spec)) {
    print_help(visible);
    return kExitOk;
  }
  if (a.spec.empty() && !a.resume && a.merge.empty())
    throw std::invalid_argument("missing SPEC (allocsim sweep SPEC -o DIR; --resume -o DIR continues a sweep; see --help)");
  if (a.output.empty()) throw std::invalid_argument("missing -o DIR (see allocsim sweep --help)");
  if (a.jobs < 1) throw std::invalid_argument(fmt::format("-j {}: must be at least 1", a.jobs));
  if (!a.merge.empty()) {
    if (!a.spec.empty()) throw std::invalid_argument("--merge takes directories, not a SPEC");
    return merge(a);
  }
  return sweep(a);
}

}  // namespace allocsim::sim
