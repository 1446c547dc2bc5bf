#include "sim/validate/validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <thread>

#include "allocator/config.hpp"
#include "sim/common/paths.hpp"
#include "sim/common/process.hpp"
#include "sim/config/run_config.hpp"
#include "sim/record/tools.hpp"
#include "sim/replay/replay.hpp"

namespace allocsim::sim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<double> number(const json& doc, const char* pointer) {
  const json::json_pointer p(pointer);
  if (!doc.contains(p) || !doc.at(p).is_number()) return std::nullopt;
  return doc.at(p).get<double>();
}

std::string run_path(const ValidateRequest& r, int run, const char* what) {
  return (fs::path(r.work_dir) / fmt::format("core-run-{}.{}", run, what)).string();
}

// Every allocator knob of the run, as the preload library reads them: the
// policy, the INI and the --set all apply to the real runs as they do to
// the replay.
std::string knob_settings(const allocator::Config& config) {
  std::string out;
  for (const auto& [name, value] : allocator::knob_values(config)) out += (out.empty() ? "" : ",") + name + "=" + value;
  return out;
}

// One run of the program under the core; its stats JSON. A run that fails
// under the core (but not without it) is the core's failure: exit 1.
json run_under_core(const ValidateRequest& r, const std::vector<std::string>& argv, const std::string& knobs, int run,
                    double& seconds) {
  const std::string stats = run_path(r, run, "json");
  std::error_code ec;
  fs::remove(stats, ec);
  ProcessSpec spec;
  spec.argv = argv;
  spec.env = environment_with({"LD_PRELOAD", "ALLOCSIM_POLICY", "ALLOCSIM_SET", "ALLOCSIM_STATS"},
                              {"LD_PRELOAD=" + r.preload_library, "ALLOCSIM_SET=" + knobs, "ALLOCSIM_STATS=" + stats});
  spec.stdout_path = spec.stderr_path = run_path(r, run, "out");
  spec.die_with_parent = true;
  const auto t0 = std::chrono::steady_clock::now();
  const ExitStatus status = wait_exit(spawn(spec), std::chrono::duration_cast<std::chrono::milliseconds>(r.timeout));
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string where = fmt::format("run {} under {} (output in {})", run, r.preload_library, spec.stdout_path);
  if (status.timed_out) throw std::runtime_error(fmt::format("{} did not finish in {} s", where, r.timeout.count()));
  if (status.signal || status.code != 0)
    throw std::runtime_error(fmt::format("{} failed (exit status {}) where the recorded run did not", where,
                                         status.shell_code()));
  std::ifstream in(stats);
  const json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw std::runtime_error(fmt::format("{} wrote no stats to {}", where, stats));
  return doc;
}

// CPUs busy with anything (user, system, interrupts) over `window`, from
// the first line of /proc/stat; 0 when it cannot be read.
double busy_cpus(std::chrono::milliseconds window) {
  auto sample = [] {
    std::ifstream in("/proc/stat");
    std::string cpu;
    in >> cpu;
    std::uint64_t v[10] = {}, total = 0;
    for (auto& x : v) in >> x, total += x;
    return std::pair<std::uint64_t, std::uint64_t>{total - v[3] - v[4], total};  // idle, iowait
  };
  const auto [busy0, total0] = sample();
  std::this_thread::sleep_for(window);  // a measurement window, not a wait for anything
  const auto [busy1, total1] = sample();
  const double ticks = double(sysconf(_SC_CLK_TCK)) * std::chrono::duration<double>(window).count();
  return total1 > total0 && ticks > 0 ? double(busy1 - busy0) / ticks : 0;
}

ValidatedFigure& figure(ValidationReport& report, const std::string& name, ErrorKind kind) {
  for (auto& f : report.figures)
    if (f.name == name) return f;
  report.figures.push_back(ValidatedFigure{.name = name, .error_kind = kind, .predicted = {}, .measured = {}});
  return report.figures.back();
}

}  // namespace

double ValidatedFigure::median() const {
  if (measured.empty()) return 0;
  std::vector<double> v = measured;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::optional<double> ValidatedFigure::error() const {
  if (!predicted || measured.empty()) return std::nullopt;
  if (error_kind == ErrorKind::Points) return (*predicted - median()) * 100;
  if (median() == 0) return std::nullopt;
  return (*predicted - median()) / median();
}

ValidationReport validate(const ValidateRequest& r) {
  if (r.command.empty()) throw ValidateError("no program to run (allocsim validate -- CMD ARGS...)");
  if (r.runs < 1) throw ValidateError("--runs must be at least 1");
  std::error_code ec;
  if (!fs::is_regular_file(r.preload_library, ec))
    throw ValidateError(r.preload_library + ": the LD_PRELOAD core is not there (build the allocsim_preload target)");
  const RunConfig config = load_run_config(r.policy, r.config_file, r.sets, policies_dir());
  fs::create_directories(r.work_dir, ec);
  if (!fs::is_directory(r.work_dir, ec)) throw ValidateError(r.work_dir + ": cannot create the work directory");

  ValidationReport report;
  report.command = r.command;
  report.policy = r.policy.empty() ? "adaptive" : r.policy;

  RecordRequest record;
  record.tool = r.tool;
  record.output = (fs::path(r.work_dir) / "recording.native").string();
  record.command = r.command;
  const RecordOutcome recorded = record_program(record);
  if (!recorded.end.complete()) throw ValidateError("the recording is partial: " + recorded.end.problem);
  if (recorded.trace.empty()) throw ValidateError("the recording cannot be converted: " + recorded.convert_error);
  if (recorded.end.exit_status && *recorded.end.exit_status != 0)
    throw ValidateError(fmt::format("the program exited with status {}: nothing to validate", *recorded.end.exit_status));
  report.recording = recorded.trace;
  report.traced_ns = recorded.traced_ns;
  report.untraced_ns = recorded.untraced_ns;

  ReplayRequest replay_request;
  replay_request.trace = recorded.trace;
  replay_request.config = config;
  replay_request.mode = ReplayMode::Virtual;
  const Metrics predicted = replay(replay_request);
  report.time_scale = predicted.run.time_scale;
  const Summary& s = predicted.summary;
  figure(report, "fallback_rate", ErrorKind::Points).predicted = s.fallback_rate;
  figure(report, "peak_footprint_bytes", ErrorKind::Relative).predicted = double(s.peak_footprint_bytes);
  figure(report, "heap_peak_rss_bytes", ErrorKind::Relative).predicted = double(s.peak_rss_bytes);
  if (s.queue_grow_events) figure(report, "queue_grows", ErrorKind::Relative).predicted = double(*s.queue_grow_events);
  if (s.queue_reclaim_events)
    figure(report, "queue_reclaims", ErrorKind::Relative).predicted = double(*s.queue_reclaim_events);
  figure(report, "collector_utilization", ErrorKind::Points).predicted =
      s.collector_work ? s.collector_work->utilization : std::nullopt;

  std::vector<std::string> argv = r.command;
  argv.front() = find_executable(argv.front());
  const std::string knobs = knob_settings(config.allocator);
  report.busy_cpus = busy_cpus(std::chrono::milliseconds(250));
  report.cpus = std::thread::hardware_concurrency();
  for (int run = 1; run <= r.runs; ++run) {
    double seconds = 0;
    const json doc = run_under_core(r, argv, knobs, run, seconds);
    report.run_seconds.push_back(seconds);
    auto measure = [&](const std::string& name, ErrorKind kind, std::optional<double> value) {
      if (value) figure(report, name, kind).measured.push_back(*value);
    };
    measure("fallback_rate", ErrorKind::Points, number(doc, "/summary/fallback_rate"));
    measure("peak_footprint_bytes", ErrorKind::Relative, number(doc, "/summary/peak_footprint_bytes"));
    const auto peak = number(doc, "/host/peak_rss_bytes"), base = number(doc, "/host/baseline_rss_bytes");
    if (peak && base) measure("heap_peak_rss_bytes", ErrorKind::Relative, std::max(0.0, *peak - *base));
    measure("queue_grows", ErrorKind::Relative, number(doc, "/summary/queue_grow_events"));
    measure("queue_reclaims", ErrorKind::Relative, number(doc, "/summary/queue_reclaim_events"));
    measure("collector_utilization", ErrorKind::Points, number(doc, "/summary/collector_work/utilization"));
  }
  return report;
}

nlohmann::ordered_json validation_json(const ValidationReport& report) {
  nlohmann::ordered_json j;
  j["schema"] = "allocsim-validation/1";
  j["command"] = report.command;
  j["policy"] = report.policy;
  j["recording"] = report.recording;
  j["time_scale"] = report.time_scale;
  j["traced_wall_ns"] = report.traced_ns;
  j["untraced_wall_ns"] = report.untraced_ns;
  j["run_seconds"] = report.run_seconds;
  j["host"] = {{"cpus", report.cpus}, {"busy_cpus", report.busy_cpus}, {"busy", report.busy_host()}};
  auto& figures = j["figures"] = nlohmann::ordered_json::object();
  for (const ValidatedFigure& f : report.figures) {
    auto& row = figures[f.name];
    row["predicted"] = f.predicted ? nlohmann::ordered_json(*f.predicted) : nullptr;
    row["measured"] = f.measured;
    row["measured_median"] = f.measured.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.median());
    row["error"] = f.error() ? nlohmann::ordered_json(*f.error()) : nullptr;
    row["error_unit"] = f.error_kind == ErrorKind::Points ? "percentage points" : "relative";
  }
  return j;
}

namespace {

std::string shown(const ValidatedFigure& f, double v) {
  if (f.error_kind == ErrorKind::Points) return fmt::format("{:.1f}%", v * 100);
  if (f.name.ends_with("_bytes")) return fmt::format("{:.2f} MiB", v / (1 << 20));
  return fmt::format("{:.0f}", v);
}

}  // namespace

std::string validation_text(const ValidationReport& report) {
  std::string out = fmt::format("policy {}; recording {}; time scale {:.4g}", report.policy, report.recording,
                                report.time_scale);
  if (report.untraced_ns)
    out += fmt::format(" ({:.1f} ms recorded, {:.1f} ms untraced)", report.traced_ns / 1e6, report.untraced_ns / 1e6);
  out += fmt::format("; {} runs under the core\n", report.run_seconds.size());
  if (report.busy_host())
    out += fmt::format("warning: the host was busy ({:.1f} of its {} CPUs with other work): the collector thread "
                       "waits for a CPU, so the measured figures describe the host as much as the core\n",
                       report.busy_cpus, report.cpus);
  out += fmt::format("{:<24} {:>12} {:>30} {:>10}\n", "figure", "predicted", "measured median [min-max]", "error");
  for (const ValidatedFigure& f : report.figures) {
    std::string measured = "-";
    if (!f.measured.empty()) {
      const auto [lo, hi] = std::minmax_element(f.measured.begin(), f.measured.end());
      measured = fmt::format("{} [{}-{}]", shown(f, f.median()), shown(f, *lo), shown(f, *hi));
    }
    std::string error = "-";
    if (const auto e = f.error())
      error = f.error_kind == ErrorKind::Points ? fmt::format("{:+.1f} pp", *e) : fmt::format("{:+.0f}%", *e * 100);
    out += fmt::format("{:<24} {:>12} {:>30} {:>10}\n", f.name, f.predicted ? shown(f, *f.predicted) : "-", measured,
                       error);
  }
  return out;
}

}  // namespace allocsim::sim
