#pragma once
// A progress line on stderr for long replays: nothing at all unless it is
// enabled (the CLI enables it only when stderr is a terminal), and nothing
// for the first second. When the reader knows its place in the file, the
// bar shows how much of the (compressed) file has been read; otherwise a
// count of events and the rate.
#include <chrono>
#include <cstdint>

#include "traces/event_reader.hpp"

namespace allocsim::sim {

class Progress {
 public:
  // `reader`: the trace being replayed, asked for its position().
  Progress(bool enabled, const traces::EventReader& reader);
  ~Progress() { finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Cheap enough to call after every batch of events.
  void update(std::uint64_t events) {
    if (enabled_ && events >= next_check_) [[unlikely]] tick(events);
  }
  // Clears the line.
  void finish();

 private:
  void tick(std::uint64_t events);
  double fraction() const;  // of the file read; negative when unknown

  bool enabled_;
  bool shown_ = false;
  const traces::EventReader& reader_;
  std::uint64_t next_check_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace allocsim::sim
