#pragma once
// A progress line on stderr for long replays: nothing at all unless it is
// enabled (the CLI enables it only when stderr is a terminal), and nothing
// for the first second. When the trace file's descriptor can be found, the
// bar shows how much of the (compressed) file has been read; otherwise a
// count of events and the rate.
#include <chrono>
#include <cstdint>
#include <string>

namespace allocsim::sim {

class Progress {
 public:
  // `trace`: the file being read (located among this process's open
  // descriptors on the first update).
  Progress(bool enabled, std::string trace);
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
  double fraction();

  bool enabled_;
  bool shown_ = false;
  std::string trace_;
  int fd_ = -2;  // -2: not looked up yet, -1: not found
  std::uint64_t size_ = 0;
  std::uint64_t next_check_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace allocsim::sim
