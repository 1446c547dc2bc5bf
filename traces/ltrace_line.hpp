#pragma once
// The shape of one ltrace 0.7.x output line, without any meaning attached:
// which process, when, which function, the argument and return text.
// The call-matching state machine (ltrace_reader.cpp) gives it meaning.
//
// Grammar (one line):  [prefix][timestamp ]body[ <secs>]
//
//   prefix     none                 (no -f)
//              "[pid 15236] "       (-f, output to stderr)
//              "15238 "             (-f -o file)
//   timestamp  "03:13:27"           (-t: local time of day, wraps at midnight)
//              "03:13:27.417238"    (-tt)
//              "1795662800.232251"  (-ttt: seconds since the epoch)
//   <secs>     " <0.000115>"        (-T: time spent in the call)
//   body, a complete call (PLT mode shows the caller, -x mode the library):
//     libsqlite3.so.0->malloc(48) = 0x556a7f0f02a0
//     malloc@libc.so.6(100)      = 0x55868f7532a0
//     free@libc.so.6(0)          = <void>
//     posix_memalign@libc.so.6(0x55868f753440, 64, 300) = 0
//   a call split because another thread, a nested traced call or a signal
//   printed in between (the `resumed` line carries the remaining arguments):
//     free@libc.so.6(0x7fa1c0000900 <unfinished ...>
//     malloc@libc.so.6(504 <no return ...>
//     <... malloc resumed> )   = 0x7fa1c0000900
//     posix_memalign@libc.so.6( <unfinished ...>
//     <... posix_memalign resumed> 0x7f2a7400b340, 64, 517) = 0
//   the end of a process or thread:
//     +++ exited (status 0) +++
//     +++ killed by SIGSEGV +++
//   anything else (no event):
//     --- SIGUSR1 (User defined signal 1) ---
//     unexpected breakpoint at 0x5599eb8ad804
//     consumer sum 123        (the program's own output, when on stderr)
#include <cstdint>
#include <string_view>

namespace allocsim::traces {

struct LtraceClock {
  enum class Kind : std::uint8_t { None, TimeOfDay, Epoch };
  Kind kind = Kind::None;
  std::uint64_t ns = 0;  // since local midnight (TimeOfDay) or since the epoch (Epoch)
};

struct LtraceLine {
  enum class Kind : std::uint8_t {
    Call,        // fn(args) = ret, or fn(args <unfinished ...>
    Resumed,     // <... fn resumed> args) = ret
    ProcessEnd,  // +++ exited ... +++ / +++ killed by ... +++
    Other,       // signals, breakpoint notes, program output
  };
  Kind kind = Kind::Other;
  bool has_pid = false;
  std::uint64_t pid = 0;
  LtraceClock clock;
  std::string_view caller;    // PLT mode: "libsqlite3.so.0"; empty otherwise
  std::string_view function;  // "malloc"
  std::string_view args;      // the argument text on this line, without parentheses
  std::string_view ret;       // the return value text; empty for a split call
  bool split = false;         // ended in <unfinished ...> or <no return ...>
};

// Never fails: a line that fits no shape is Kind::Other. The views point
// into `line`.
LtraceLine parse_ltrace_line(std::string_view line);

// Parses a -t/-tt/-ttt timestamp token; false when `token` is not one.
bool parse_ltrace_clock(std::string_view token, LtraceClock& out);

}  // namespace allocsim::traces
