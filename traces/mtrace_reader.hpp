#pragma once
// Reader for glibc mtrace() logs (MALLOC_TRACE with libc_malloc_debug.so).
//
// Grammar, one record a line (glibc malloc/mtrace-impl.c, real lines):
//   = Start                                               tracing begins (again)
//   = End                                                 muntrace()
//   @ ./edgecases:[0x122c] + 0x55c07e94a4a0 0x64          allocation: pointer, size
//   @ ./edgecases:[0x131a] + (nil) 0x7fffffffffffffff     failed allocation
//   @ ./edgecases:[0x1304] - 0x55c07e94acf0               free (also realloc(p, 0))
//   @ ./edgecases:[0x1254] < 0x55c07e94a4a0               realloc: the old block ...
//   @ ./edgecases:[0x1254] > 0x55c07e94a570 0xc8          ... and the new one, size
//   @ ./edgecases:[0x1254] ! 0x55c07e94a4a0 0x1000        failed realloc: old block, size
//   @ /lib/x86_64-linux-gnu/libc.so.6:(_IO_file_doallocate+8c)[0x758cc] + 0x55c07e94b000 0x1000
//   @ [0x7f3dfc5a1234] - 0x55c07e94b000                   caller without a module
//   + 0x55c07e94a4a0 0x64                                 no caller at all
// Pointers print as %p ("(nil)" for NULL), sizes as %#lx ("0" for zero).
// The caller part may contain spaces (file names), so a record is read
// from its end. malloc, calloc, memalign and realloc(NULL, n) all log `+`:
// every `+` is an Op::Malloc of unknown alignment.
//
// mtrace records neither threads nor times: every event is on thread 0 and
// has no time. A `<` line must be followed by its `>`; other malformed
// lines are errors naming file and line.
//
// The reader also counts calls (EventReader::calls()):
// the records counted as the recording counts them, `<` + `>` as one pair.
#include <memory>
#include <string_view>

#include "traces/event_reader.hpp"
#include "traces/input_stream.hpp"

namespace allocsim::traces {

bool looks_like_mtrace(std::string_view head);

std::unique_ptr<EventReader> make_mtrace_reader(std::unique_ptr<LineReader> lines, const ReadOptions& options);

}  // namespace allocsim::traces
