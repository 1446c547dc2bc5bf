#pragma once
// Files that appear whole or not at all: the content goes to a temporary
// file beside the target (same directory, so the same file system), is
// flushed, and is renamed over the target. A reader never sees half a file,
// and a failed write leaves the old file (if any) untouched. Used for
// metrics JSON/CSV here and for per-run results by the sweep layer.
// A target that exists and is not a regular file (/dev/null, a FIFO,
// /dev/stdout) is written in place: renaming over it would replace the
// device node; a symlink to a regular file keeps being a link.
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace allocsim::sim {

// Throws OutputError (sim/common/errors.hpp) naming the path when the file
// cannot be written; the temporary file is removed then.
void write_file_atomic(const std::string& path, std::string_view content);
// `write` fills the stream; an exception from it aborts the file the same way.
void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write);

// Throws OutputError unless write_file_atomic(path, ...) could write there
// now: path is not a directory, and a temporary file can be created beside
// it (created and removed again). Commands call it for every output before
// their work starts, so a bad -o costs nothing and leaves nothing behind.
void check_writable(const std::string& path);

}  // namespace allocsim::sim
