#pragma once
// The sink side of the event model: the native binary writer and the CSV
// writer implement it, so converters and generators write any format.
#include <memory>
#include <span>
#include <string>

#include "traces/event.hpp"
#include "traces/event_reader.hpp"

namespace allocsim::traces {

class EventWriter {
 public:
  virtual ~EventWriter() = default;
  virtual void write(std::span<const Event> events) = 0;
  // Flushes and completes the output (header fix-ups, atomic rename).
  // Without finish() the destination is left untouched.
  virtual void finish() = 0;
};

// Writes `path` atomically (temp file + rename on finish()). Format::Native
// or Format::Csv; Format::Auto picks CSV for a .csv/.txt name, native otherwise.
std::unique_ptr<EventWriter> create_writer(const std::string& path, Format format = Format::Auto);

}  // namespace allocsim::traces
