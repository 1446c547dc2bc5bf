#pragma once
// The streaming reader interface every trace format implements, and the
// factory that picks a reader from a file's content.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "traces/anomalies.hpp"
#include "traces/call_accounting.hpp"
#include "traces/event.hpp"
#include "traces/heaptrack_accounting.hpp"

namespace allocsim::traces {

enum class Format { Auto, HeaptrackRaw, HeaptrackInterpreted, Ltrace, Mtrace, Csv, Native };
std::string format_name(Format f);
Format parse_format(const std::string& name);  // throws std::invalid_argument naming the choices

// One sample of the recorded program's own RSS (heaptrack `R` records):
// taken after `events` events of the stream, `time_ms` into the recording.
struct RssSample {
  std::uint64_t events = 0, time_ms = 0, bytes = 0;
  bool operator==(const RssSample&) const = default;
};

// How a reader repairs or rejects, and the choices a format leaves open.
struct ReadOptions {
  Format format = Format::Auto;
  bool strict = false;  // a repair (see anomaly_is_repair) becomes a TraceError
  // heaptrack interpreted files name only a (size, call site) class on `-`:
  // which live member of the class dies. LIFO (default) or FIFO.
  enum class FreeChoice { Lifo, Fifo } interpreted_free = FreeChoice::Lifo;
};

struct TraceInfo {
  std::string path;
  Format format = Format::Auto;
  std::uint32_t threads = 0;       // known at the end of the stream for text formats
  bool has_time = false;           // events carry timestamps
  std::uint64_t page_size = 0;     // heaptrack `I` line, 0 when unknown
  std::uint64_t peak_rss_bytes = 0;  // heaptrack `R` lines x page size, 0 when unknown
  std::uint64_t runtime_ms = 0;      // heaptrack last `c` + 1, 0 when unknown
  // The program's wall time under the recorder and without it (allocsim
  // record; the native header), 0 when unknown.
  std::uint64_t traced_wall_ns = 0, untraced_wall_ns = 0;
  // untraced / traced: how much faster the program runs without the
  // recorder, by which a replay scales the recorded times; 1 when unknown.
  // At most 1: a recorder only adds work. A larger quotient comes from a
  // program of a few milliseconds, whose untraced wall time is mostly
  // exec, loading and exit, which the traced span (first to last event)
  // leaves out; it says nothing about the pace of its allocations.
  double untraced_ratio() const {
    return traced_wall_ns && untraced_wall_ns ? std::min(1.0, double(untraced_wall_ns) / double(traced_wall_ns)) : 1.0;
  }
  // The program's own RSS samples in stream order; empty when the format
  // has none. Like the counts above, final once read() has returned 0.
  std::vector<RssSample> rss_samples;
};

// How far into its file a reader is: bytes of the file consumed (compressed
// bytes for a compressed file) and the file's size; 0 and 0 when unknown.
struct ReadPosition {
  std::uint64_t bytes = 0, size = 0;
};

class EventReader {
 public:
  virtual ~EventReader() = default;
  // Fills `out` from the front with the next events in order; returns how
  // many were written, 0 only at the end of the trace. Throws TraceError.
  virtual std::size_t read(std::span<Event> out) = 0;
  virtual const TraceInfo& info() const = 0;
  virtual const AnomalyReport& anomalies() const = 0;
  // Safe to call from another thread while read() runs (progress lines).
  virtual ReadPosition position() const { return {}; }
  // What a recording counts beside its event stream, for the formats that
  // have it: calls (ltrace, mtrace; traces/call_accounting.hpp) and
  // heaptrack_print's totals (traces/heaptrack_accounting.hpp). Final once
  // read() has returned 0.
  virtual std::optional<CallCounts> calls() const { return std::nullopt; }
  virtual std::optional<HeaptrackTotals> heaptrack_totals() const { return std::nullopt; }
};

// Opens `path` (decompressing zstd/gzip transparently), detects its format
// from content unless options.format says otherwise, and returns its reader.
// Throws TraceError for a missing file or an unrecognised format.
std::unique_ptr<EventReader> open_trace(const std::string& path, const ReadOptions& options = {});

}  // namespace allocsim::traces
