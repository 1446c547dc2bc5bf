#pragma once
// `allocsim validate`: does the virtual replay predict the real core? One
// program is recorded (sim/record), its recording replayed in virtual mode
// with the run's configuration (normally a calibrated host INI, `allocsim
// calibrate`), and the program run several times under the LD_PRELOAD
// core with the same allocator knobs. Each figure the replay predicts is
// set beside what the core measured in the real runs, with the error.
//
// Figures (docs/validation.md says what each error means):
//   fallback_rate          fallbacks / size-class allocations (error in percentage points)
//   peak_footprint_bytes   memory the core had mapped at its peak (relative error)
//   heap_peak_rss_bytes    predicted: simulated RSS of the core's memory; measured: the
//                          process's peak RSS above its RSS at the first allocation
//   queue_grows, queue_reclaims   the adaptive queues' decisions (relative error)
//   collector_utilization  the collector's busy time / the program's time (error in points)
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/common/errors.hpp"
#include "sim/record/recorder.hpp"

namespace allocsim::sim {

struct ValidateRequest {
  std::vector<std::string> command;  // the program and its arguments
  std::string policy;                // preset name or .ini ("" = adaptive)
  std::string config_file;           // INI of replay (and allocator) knobs, "" = none
  std::vector<std::string> sets;     // key=value on top
  int runs = 3;                      // runs under the LD_PRELOAD core
  RecordTool tool = RecordTool::Heaptrack;
  std::string work_dir;              // the recording and each run's stats and output go here
  std::string preload_library;       // liballocsim.so
  std::chrono::seconds timeout{600};  // per run of the program
};

// The program failed (recorded or under the core), or the recording is
// partial: there is nothing to validate. Exit status 2.
class ValidateError : public InputError {
 public:
  using InputError::InputError;
};

enum class ErrorKind { Relative, Points };

struct ValidatedFigure {
  std::string name;
  ErrorKind error_kind = ErrorKind::Relative;
  std::optional<double> predicted;
  std::vector<double> measured;  // one per run that reports it
  double median() const;
  // predicted - median, in points (x100) or relative to the median; empty
  // when either side is missing or a relative error has a zero median.
  std::optional<double> error() const;
};

struct ValidationReport {
  std::vector<std::string> command;
  std::string policy, recording;
  double time_scale = 1;
  std::uint64_t traced_ns = 0, untraced_ns = 0;
  std::vector<double> run_seconds;  // wall time of each run under the core
  // The host just before the runs: CPUs kept busy by other work (from
  // /proc/stat over a quarter second), and its CPUs. Other work delays the
  // collector thread, and the measured figures then describe the host
  // more than the core.
  double busy_cpus = 0;
  unsigned cpus = 0;
  bool busy_host() const { return busy_cpus > 0.5; }
  std::vector<ValidatedFigure> figures;
};

// Throws ValidateError, RecordSetupError, allocator::ConfigError, or the
// replay's errors.
ValidationReport validate(const ValidateRequest& request);

nlohmann::ordered_json validation_json(const ValidationReport& report);
std::string validation_text(const ValidationReport& report);

}  // namespace allocsim::sim
