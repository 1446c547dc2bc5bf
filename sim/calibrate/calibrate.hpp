#pragma once
// `allocsim calibrate`: what the virtual replay should charge for the
// collector's work on this machine, measured by running the core's own
// collector and merge sets (not a model of them) on a stepped heap.
//
// Each round builds fresh heaps and takes a few hundred real collector
// steps of every kind the cost model prices: draining garbage with and
// without merges, refilling queues from merge sets (with the oldest-block
// sort), refilling by mapping blocks, releasing pages, and idle passes
// over a program's worth of classes; each step is timed and fitted
// (cost_fit.hpp). Rounds repeat with other heaps; the spread across them
// is reported. Merge-set operations are also timed alone at several set
// sizes, and a sleeping threaded collector's wake-up latency is measured
// from the free that wakes it to its next step.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "allocator/config.hpp"

namespace allocsim::sim {

struct Spread {
  double median = 0, min = 0, max = 0;
  bool measured = true;  // false: no step exercised the term, so nothing is known of it
};

struct CalibrationOptions {
  int rounds = 5;                  // repetitions of the step scenarios
  std::uint64_t chunks = 20000;    // garbage per scenario (sets reach this size)
  int wake_samples = 40;
  allocator::Config config;        // the core under calibration (prefill off, else its defaults)
};

struct SetOpCosts {
  std::uint64_t set_size = 0;
  double lookup_ns = 0, insert_ns = 0, erase_ns = 0;
};

struct Calibration {
  // The replay knobs, ns: the fitted step model and the wake-up latency.
  Spread step, pass, chunk, hash_op, sort, map, purge, wake_latency;
  std::vector<SetOpCosts> set_ops;
  double fit_error = 0;       // median |predicted - measured| / measured over every step
  std::uint64_t steps = 0;    // steps timed
  double seconds = 0;         // wall time of the whole calibration
};

Calibration calibrate(const CalibrationOptions& options);

// The replay knobs as an INI usable with --config (comments: host, spread).
void write_calibration_ini(std::ostream& out, const Calibration& c, const std::string& host);
// The figures with their spread, for a terminal.
void print_calibration(std::ostream& out, const Calibration& c);

}  // namespace allocsim::sim
