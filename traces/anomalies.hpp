#pragma once
// What a reader dropped or repaired, so a user can see exactly how a
// recording was read: a count per kind and the first few source lines.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace allocsim::traces {

enum class Anomaly : std::uint8_t {
  UnknownFree,       // free of a pointer/object that is not live (dropped)
  NullFree,          // free(NULL) (dropped; not an error)
  LiveReuse,         // allocation of an address that is still live: the old lifetime is ended
  UnknownRealloc,    // realloc of a pointer that is not live: treated as realloc(NULL, n)
  NestedCall,        // traced call made inside another traced call of the same thread (dropped)
  FailedAlloc,       // allocation that returned NULL (dropped)
  IgnoredLine,       // a line that carries no event (signals, exit lines, noise)
  UnmatchedResume,   // a `<... resumed>` with no pending call (dropped)
  Unfinished,        // a call that never returned (killed thread, no return): dropped
  Truncated,         // input ended mid-record
};
inline constexpr int kAnomalyKinds = 10;

std::string_view anomaly_name(Anomaly a);
// What the kind is and what the reader did about it, for messages:
// "free of a pointer that is not live: dropped".
std::string_view anomaly_meaning(Anomaly a);

// Whether --strict turns this kind into an error. Null frees and ignored
// lines are part of every healthy recording; the rest are repairs.
bool anomaly_is_repair(Anomaly a);

struct AnomalyReport {
  static constexpr std::size_t kSamplesPerKind = 5;
  struct Sample {
    std::uint64_t line = 0;  // 1-based line, or byte offset for binary formats
    std::string text;        // the source line (truncated to 200 characters)
  };
  std::array<std::uint64_t, kAnomalyKinds> counts{};
  std::array<std::vector<Sample>, kAnomalyKinds> samples;

  void add(Anomaly a, std::uint64_t line, std::string_view text);
  std::uint64_t count(Anomaly a) const { return counts[static_cast<int>(a)]; }
  std::uint64_t repairs() const;
};

}  // namespace allocsim::traces
