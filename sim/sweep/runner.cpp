#include "sim/sweep/runner.hpp"

#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>
#include <nlohmann/json.hpp>

#include "sim/common/atomic_file.hpp"
#include "sim/common/process.hpp"
#include "sim/sweep/progress.hpp"

namespace allocsim::sim {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string file_tail(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const auto size = static_cast<std::size_t>(in.tellg());
  const std::size_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string text(size - start, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

// The last non-empty line of a log: usually the replay's own error message.
std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return {};
  const std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

void clear_directory(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
}

struct InFlight {
  const PlannedRun* run;
  Clock::time_point start;
  std::vector<std::string> argv;
};

class Runner {
 public:
  Runner(const RunnerOptions& o, std::size_t total, std::size_t done_before)
      : o_(o), progress_(o.progress ? stderr : nullptr, total, done_before) {}

  RunnerTally run(const std::vector<const PlannedRun*>& pending, RunnerTally tally) {
    tally_ = tally;
    std::size_t next = 0;
    while (next < pending.size() || !active_.empty()) {
      while (!stopping() && next < pending.size() && active_.size() < o_.jobs) launch(*pending[next++]);
      if (stopping()) forward_stop();
      if (active_.empty()) break;
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, 0);
      if (pid < 0) {
        if (errno == EINTR) continue;
        throw std::system_error(errno, std::generic_category(), "waitpid");
      }
      if (auto it = active_.find(pid); it != active_.end()) {
        InFlight done = std::move(it->second);
        active_.erase(it);
        finish(done, status);
        progress_.update(tally_.completed, tally_.failed, active_.size());
      }
    }
    progress_.finish();
    tally_.interrupted = tally_.planned - tally_.already_done - tally_.completed - tally_.failed;
    return tally_;
  }

 private:
  bool stopping() const { return o_.stop && *o_.stop; }

  std::string tmp_result(const PlannedRun& r) const { return o_.dir.tmp() + "/" + r.id + ".json"; }
  std::string tmp_log(const PlannedRun& r) const { return o_.dir.tmp() + "/" + r.id + ".log"; }

  void launch(const PlannedRun& run) {
    ProcessSpec child;
    child.argv = {o_.allocsim};
    for (auto& a : replay_arguments(run, tmp_result(run))) child.argv.push_back(std::move(a));
    // The spec alone decides what malloc a run gets.
    std::vector<std::string> add;
    if (!run.preload.empty()) add.push_back("LD_PRELOAD=" + run.preload);
    child.env = environment_with({"LD_PRELOAD"}, add);
    child.stdout_path = child.stderr_path = tmp_log(run);
    // An interrupted sweep leaves no orphan writing into its directory.
    child.die_with_parent = true;
    const pid_t pid = spawn(child);
    active_.emplace(pid, InFlight{&run, Clock::now(), std::move(child.argv)});
  }

  void forward_stop() {
    if (stop_forwarded_) return;
    stop_forwarded_ = true;
    for (const auto& [pid, flight] : active_) ::kill(pid, SIGTERM);
  }

  void finish(const InFlight& f, int status) {
    const PlannedRun& run = *f.run;
    std::error_code ec;
    const bool exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (exited_ok && fs::exists(tmp_result(run), ec)) {
      fs::rename(tmp_result(run), o_.dir.result(run.id), ec);
      if (ec) throw std::runtime_error(o_.dir.result(run.id) + ": cannot move the result into place: " + ec.message());
      fs::remove(o_.dir.failure(run.id), ec);
      fs::remove(tmp_log(run), ec);
      ++tally_.completed;
      return;
    }
    if (stopping() && !exited_ok) {  // ended by the stop: redone next time, not a failure
      fs::remove(tmp_result(run), ec);
      fs::remove(tmp_log(run), ec);
      return;
    }
    RunFailure failure;
    failure.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    failure.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    failure.wall_seconds = std::chrono::duration<double>(Clock::now() - f.start).count();
    failure.stderr_tail = file_tail(tmp_log(run), 4096);
    if (exited_ok) failure.stderr_tail += "\nallocsim sweep: replay exited 0 but wrote no metrics file";
    failure.command = f.argv;
    write_failure_record(o_.dir, run, failure);
    fs::remove(tmp_result(run), ec);
    fs::remove(tmp_log(run), ec);
    ++tally_.failed;
  }

  const RunnerOptions& o_;
  SweepProgress progress_;
  RunnerTally tally_;
  std::map<pid_t, InFlight> active_;
  bool stop_forwarded_ = false;
};

}  // namespace

void write_failure_record(const SweepDir& dir, const PlannedRun& run, const RunFailure& failure) {
  nlohmann::ordered_json j;
  j["schema"] = "allocsim-sweep-failure/1";
  j["id"] = run.id;
  j["label"] = run.label;
  j["trace"] = run.trace.name;
  j["identity"] = run.identity;
  j["exit_code"] = failure.exit_code;
  j["signal"] = failure.signal;
  j["error"] = last_line(failure.stderr_tail);
  j["stderr_tail"] = failure.stderr_tail;
  j["command"] = failure.command;
  j["wall_seconds"] = failure.wall_seconds;
  write_file_atomic(dir.failure(run.id), j.dump(2) + "\n");
}

RunnerTally run_sweep_runs(const std::vector<PlannedRun>& runs, const RunnerOptions& options) {
  clear_directory(options.dir.tmp());  // leftovers of runs a killed sweep had in flight
  RunnerTally tally;
  tally.planned = runs.size();
  std::vector<const PlannedRun*> pending;
  std::error_code ec;
  for (const auto& r : runs) {
    if (fs::exists(options.dir.result(r.id), ec)) ++tally.already_done;
    else pending.push_back(&r);
  }
  RunnerOptions o = options;
  if (o.jobs == 0) o.jobs = 1;
  Runner runner(o, runs.size(), tally.already_done);
  return runner.run(pending, tally);
}

}  // namespace allocsim::sim
