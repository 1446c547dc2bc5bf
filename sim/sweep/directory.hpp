#pragma once
// The layout of a sweep's output directory (docs/reports.md):
//   DIR/plan.json              every run of the sweep: id, identity, label, knobs, shard
//   DIR/runs/<id>.json         a completed run's metrics, as `allocsim replay -o` wrote them
//   DIR/runs/<id>.failed.json  a failed run: exit status, stderr tail, command
//   DIR/tmp/                   runs in progress (cleared when a sweep starts)
//   DIR/summary.csv, DIR/report.json
// A run is complete exactly when runs/<id>.json exists: it is renamed
// there whole, so a sweep killed at any moment loses only runs in flight.
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace allocsim::sim {

struct SweepDir {
  std::string root;

  std::string plan() const { return root + "/plan.json"; }
  std::string runs() const { return root + "/runs"; }
  std::string tmp() const { return root + "/tmp"; }
  std::string result(const std::string& id) const { return runs() + "/" + id + ".json"; }
  std::string failure(const std::string& id) const { return runs() + "/" + id + ".failed.json"; }
  std::string summary_csv() const { return root + "/summary.csv"; }
  std::string report_json() const { return root + "/report.json"; }
};

// How long a busy lock is tried again, and how to wait between tries. A
// run forked by a sweep holds the lock until it execs (the descriptor is
// close-on-exec); when that sweep was just killed, its children die a
// moment later, so a busy lock is worth a second look for a short while.
struct LockRetry {
  std::chrono::milliseconds budget{2000};
  std::function<void()> pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(10)); };
};

// Holds an exclusive flock on DIR/.lock while alive, so two sweeps never
// write one directory; the kernel drops it when the process dies.
class SweepDirLock {
 public:
  // Creates DIR, runs/ and tmp/ (OutputError when it cannot). Throws
  // std::runtime_error when another process holds the lock past the retry
  // budget.
  explicit SweepDirLock(const SweepDir& dir, const LockRetry& retry = {});
  ~SweepDirLock();
  SweepDirLock(const SweepDirLock&) = delete;
  SweepDirLock& operator=(const SweepDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace allocsim::sim
