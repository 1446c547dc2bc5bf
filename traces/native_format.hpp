#pragma once
// allocsim's own binary trace format: compact, versioned, streamed in
// bounded memory both ways, decoded at memory speed. The layout is
// documented in docs/trace-format.md; traces/native_codec.hpp holds the
// byte-level encoding both sides share.
#include <memory>
#include <string>
#include <string_view>

#include "traces/event_reader.hpp"
#include "traces/event_writer.hpp"
#include "traces/input_stream.hpp"

namespace allocsim::traces {

// The native writer can also carry what the source reader knew about the
// recording (page size, peak RSS, runtime, source format).
class NativeWriter : public EventWriter {
 public:
  virtual void set_info(const TraceInfo& info) = 0;
};

// Writes to a temporary file beside `path`, renamed over it by finish().
// write() throws std::invalid_argument for a stream that breaks the event
// model (an object born out of order, a death of an object never born).
std::unique_ptr<NativeWriter> make_native_writer(const std::string& path);

// Reads a native trace (also when compressed with zstd or gzip as a whole).
// Corrupt or truncated input: TraceError with the byte offset.
std::unique_ptr<EventReader> make_native_reader(const std::string& path, const ReadOptions& options = {});
std::unique_ptr<EventReader> make_native_reader(std::unique_ptr<ByteSource> source, const ReadOptions& options = {});

// True when `head` starts with the native magic.
bool looks_like_native(std::string_view head);

}  // namespace allocsim::traces
