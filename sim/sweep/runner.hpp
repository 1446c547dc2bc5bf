#pragma once
// Running a sweep's runs: each one is `allocsim replay` in its own process,
// up to `jobs` at a time; results are renamed into DIR/runs/ whole, failures
// recorded beside them, and runs already complete are skipped, which is
// what makes a rerun resume.
#include <csignal>
#include <cstddef>
#include <string>
#include <vector>

#include "sim/sweep/directory.hpp"
#include "sim/sweep/plan.hpp"

namespace allocsim::sim {

struct RunnerOptions {
  std::string allocsim;  // the allocsim executable to start `replay` with
  SweepDir dir;
  unsigned jobs = 1;
  bool progress = false;  // redraw a progress line on stderr
  // Set (by a signal handler) to stop: no new runs start, runs in flight are
  // ended and left to be redone; runs that finished are kept.
  const volatile std::sig_atomic_t* stop = nullptr;
};

struct RunnerTally {
  std::size_t planned = 0;
  std::size_t already_done = 0;  // complete before this invocation
  std::size_t completed = 0;     // completed now
  std::size_t failed = 0;        // failed now
  std::size_t interrupted = 0;   // ended by a stop, or never started
};

// The caller holds the directory's SweepDirLock.
RunnerTally run_sweep_runs(const std::vector<PlannedRun>& runs, const RunnerOptions& options);

// The failure record, as written to DIR/runs/<id>.failed.json.
struct RunFailure {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  double wall_seconds = 0;
  std::string stderr_tail;
  std::vector<std::string> command;
};
void write_failure_record(const SweepDir& dir, const PlannedRun& run, const RunFailure& failure);

}  // namespace allocsim::sim
