// The reader and writer factories: format names, content-based detection,
// and the choice of a writer from a file name.
#include <fmt/format.h>

#include <array>
#include <stdexcept>
#include <utility>

#include "traces/csv_format.hpp"
#include "traces/event_reader.hpp"
#include "traces/event_writer.hpp"
#include "traces/heaptrack_readers.hpp"
#include "traces/ltrace_reader.hpp"
#include "traces/mtrace_reader.hpp"
#include "traces/native_format.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

constexpr std::array<std::pair<Format, std::string_view>, 7> kNames = {{
    {Format::Auto, "auto"},
    {Format::HeaptrackRaw, "heaptrack-raw"},
    {Format::HeaptrackInterpreted, "heaptrack"},
    {Format::Ltrace, "ltrace"},
    {Format::Mtrace, "mtrace"},
    {Format::Csv, "csv"},
    {Format::Native, "native"},
}};

// How much of the (decompressed) start of a file detection looks at.
constexpr std::size_t kHeadBytes = 64 * 1024;

// The first line, skipping empty ones.
std::string_view first_line(std::string_view head) {
  while (!head.empty() && (head.front() == '\n' || head.front() == '\r')) head.remove_prefix(1);
  return head.substr(0, head.find('\n'));
}

Format detect(std::string_view head) {
  if (looks_like_native(head)) return Format::Native;
  switch (sniff_heaptrack(head)) {
    case HeaptrackKind::Raw: return Format::HeaptrackRaw;
    case HeaptrackKind::Interpreted:
    case HeaptrackKind::Unknown: return Format::HeaptrackInterpreted;  // no event seen: either reads the same
    case HeaptrackKind::NotHeaptrack: break;
  }
  if (looks_like_mtrace(head)) return Format::Mtrace;
  if (looks_like_ltrace(head)) return Format::Ltrace;
  if (looks_like_csv(head)) return Format::Csv;
  return Format::Auto;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string format_name(Format f) {
  for (const auto& [format, name] : kNames)
    if (format == f) return std::string(name);
  return "unknown";
}

Format parse_format(const std::string& name) {
  for (const auto& [format, known] : kNames)
    if (known == name) return format;
  if (name == "heaptrack-interpreted") return Format::HeaptrackInterpreted;
  std::string choices;
  for (const auto& [format, known] : kNames) choices += fmt::format("{}{}", choices.empty() ? "" : ", ", known);
  throw std::invalid_argument(fmt::format("unknown trace format '{}' (choose one of: {})", name, choices));
}

HeaptrackKind sniff_heaptrack(std::string_view head) {
  if (first_line(head).substr(0, 2) != "v ") return HeaptrackKind::NotHeaptrack;
  // Only whole lines count: the head may end mid-line.
  while (!head.empty()) {
    const std::size_t nl = head.find('\n');
    if (nl == std::string_view::npos) break;
    const std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl + 1);
    if (line.size() < 2 || line[1] != ' ') continue;
    switch (line[0]) {
      case 'x':
      case 'm': return HeaptrackKind::Raw;
      case 's':
      case 'i':
      case 'a': return HeaptrackKind::Interpreted;
      case '+': return line.find(' ', 2) == std::string_view::npos ? HeaptrackKind::Interpreted : HeaptrackKind::Raw;
      default: break;
    }
  }
  return HeaptrackKind::Unknown;
}

std::unique_ptr<EventReader> open_trace(const std::string& path, const ReadOptions& options) {
  auto lines = std::make_unique<LineReader>(open_input(path));
  Format format = options.format;
  if (format == Format::Auto) {
    format = detect(lines->peek(kHeadBytes));
    if (format == Format::Auto)
      throw TraceError(path, TraceError::Where::None, 0,
                       "unrecognised trace format (use --format: heaptrack, heaptrack-raw, ltrace, mtrace, csv, native)");
  }
  switch (format) {
    case Format::HeaptrackRaw: return make_heaptrack_raw_reader(std::move(lines), options);
    case Format::HeaptrackInterpreted: return make_heaptrack_interpreted_reader(std::move(lines), options);
    case Format::Ltrace: return make_ltrace_reader(std::move(lines), options);
    case Format::Mtrace: return make_mtrace_reader(std::move(lines), options);
    case Format::Csv: return make_csv_reader(std::move(lines), options);
    case Format::Native: lines.reset(); return make_native_reader(path, options);
    case Format::Auto: break;
  }
  throw std::logic_error("open_trace: unhandled format");
}

std::unique_ptr<EventWriter> create_writer(const std::string& path, Format format) {
  if (format == Format::Auto) format = ends_with(path, ".csv") || ends_with(path, ".txt") ? Format::Csv : Format::Native;
  if (format == Format::Native) return make_native_writer(path);
  if (format == Format::Csv) return make_csv_writer(path);
  throw std::invalid_argument(fmt::format("no writer for the {} format (choose native or csv)", format_name(format)));
}

}  // namespace allocsim::traces
