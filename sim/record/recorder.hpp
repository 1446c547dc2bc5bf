#pragma once
// `allocsim record`: runs a program under an allocation recorder with the
// flags docs/record.md explains, checks that the recording is whole,
// and converts it to the native format (docs/record.md).
//
//   heaptrack  heaptrack -r -o PREFIX CMD...          (raw file: pointers, one thread)
//   ltrace     ltrace -F alloc.ltrace.conf -f -ttt -T -e '-*' -x malloc+free+... -o LOG CMD...
//   mtrace     LD_PRELOAD="libc_malloc_debug.so.0 liballocsim_mtrace.so" MALLOC_TRACE=LOG CMD...
//
// Files: OUT (native trace) and OUT.<tool>.<ext> (the recording, kept: it
// holds more than the events, e.g. heaptrack's call stacks). A partial
// recording (the program was killed, a traced process never exited) is
// kept as OUT.partial.<tool>.<ext> and converted, when it can be, to
// OUT.partial; OUT itself is then not written.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/common/errors.hpp"

namespace allocsim::sim {

enum class RecordTool { Heaptrack, Ltrace, Mtrace };
RecordTool parse_record_tool(const std::string& name);  // throws std::invalid_argument
std::string record_tool_name(RecordTool tool);

// The recorder or the program cannot be started: nothing was recorded.
class RecordSetupError : public InputError {
 public:
  using InputError::InputError;
};

struct RecordRequest {
  RecordTool tool = RecordTool::Heaptrack;
  std::string output;                 // the native trace to write
  std::vector<std::string> command;   // program and its arguments
  std::string ltrace_config;          // "" = the installed/source alloc.ltrace.conf
  int attempts = 5;                   // runs in all when the recorder itself breaks the program (ltrace)
  int untraced_runs = 1;              // untraced runs timed after a whole recording (the fastest is kept); 0: none
};

// How the program ended, as the recorder saw it.
struct ProgramEnd {
  std::optional<int> exit_status;  // exited normally with this status
  std::string signal;              // else: killed by this signal ("SIGSEGV")
  std::string problem;             // why the recording is partial ("" when whole)
  bool recorder_fault = false;     // the recorder broke the program or crashed (ltrace), so a new run may succeed
  bool complete() const { return problem.empty(); }
};

struct RecordOutcome {
  ProgramEnd end;
  std::string recording;  // the recorder's file as kept
  std::string trace;      // the native trace written; "" when conversion failed
  std::string convert_error;
  std::uint64_t events = 0, repairs = 0;
  std::uint32_t threads = 0;
  // The program's time under the recorder (the span of the recording's
  // timestamps, else the recorder's wall time) and its fastest untraced
  // wall time; both go into the native header, 0 when not measured.
  std::uint64_t traced_ns = 0, untraced_ns = 0;
};

// Throws RecordSetupError when the recorder or the program is missing.
RecordOutcome record_program(const RecordRequest& request);

// Reads an ltrace -f log and tells whether every traced process exited
// (none killed, none left without an exit line) and how the first one ended.
ProgramEnd check_ltrace_log(const std::string& path);

}  // namespace allocsim::sim
