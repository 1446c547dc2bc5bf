// Completeness of an ltrace -f -o LOG recording. Each traced process (or
// thread) prefixes its lines with its pid and ends with one of
//   4100 1795665423.415786 +++ exited (status 0) +++
//   4106 1795665423.433679 +++ killed by SIGSEGV +++
// A pid with no such line was still running when ltrace stopped (ltrace
// itself was killed or detached), so its calls may be cut short. ltrace
// exits 0 whatever happened to the program, so this log is the only
// witness of how the program ended: the first pid of the log is the program.
// ltrace 0.7 sometimes loses track of its own breakpoints in a threaded
// program ("unexpected breakpoint at ADDR"); often the program goes on, but
// when its threads then die with SIGSEGV the crash is the recorder's fault,
// not the program's, and the log says so.
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "sim/record/recorder.hpp"

namespace allocsim::sim {
namespace {

struct PidEnd {
  bool ended = false;
  std::optional<int> status;
  std::string signal;
};

// "+++ exited (status N) +++" or "+++ killed by SIGX +++" after the pid and the time.
bool parse_end(const std::string& line, PidEnd& end) {
  const auto marker = line.find("+++ ");
  if (marker == std::string::npos || line.rfind(" +++") != line.size() - 4) return false;
  const std::string body = line.substr(marker + 4, line.size() - 4 - marker - 4);
  if (body.rfind("exited (status ", 0) == 0) {
    end.ended = true;
    end.status = std::stoi(body.substr(15));
    return true;
  }
  if (body.rfind("killed by ", 0) == 0) {
    end.ended = true;
    end.signal = body.substr(10);
    return true;
  }
  return false;
}

}  // namespace

ProgramEnd check_ltrace_log(const std::string& path) {
  std::ifstream in(path);
  ProgramEnd result;
  if (!in) {
    result.problem = "ltrace wrote no log";
    return result;
  }
  std::vector<std::string> order;  // pids in order of first appearance
  std::map<std::string, PidEnd> pids;
  bool unexpected_breakpoint = false;
  for (std::string line; std::getline(in, line);) {
    const auto space = line.find(' ');
    if (space == 0 || space == std::string::npos) continue;
    const std::string pid = line.substr(0, space);
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;  // not a -f line
    if (line.find(" unexpected breakpoint at ") != std::string::npos) unexpected_breakpoint = true;
    auto [it, fresh] = pids.try_emplace(pid);
    if (fresh) order.push_back(pid);
    parse_end(line, it->second);
  }
  if (order.empty()) {
    result.problem = "the ltrace log names no process";
    return result;
  }
  const PidEnd& main = pids[order.front()];
  result.exit_status = main.status;
  result.signal = main.signal;
  std::vector<std::string> killed, unfinished;
  for (const auto& pid : order) {
    const PidEnd& e = pids[pid];
    if (!e.ended) unfinished.push_back(pid);
    else if (!e.signal.empty()) killed.push_back(pid + " (" + e.signal + ")");
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (!killed.empty()) result.problem = "killed under ltrace: pid " + join(killed);
  // Often harmless (the call goes on); only a crash with it is ltrace's doing.
  result.recorder_fault = unexpected_breakpoint && !killed.empty();
  if (result.recorder_fault) result.problem += "; ltrace hit an unexpected breakpoint (an ltrace bug with threads)";
  if (!unfinished.empty())
    result.problem += (result.problem.empty() ? "" : "; ") + std::string("no exit line for pid ") + join(unfinished);
  return result;
}

}  // namespace allocsim::sim
