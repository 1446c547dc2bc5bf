#include "traces/anomalies.hpp"

namespace allocsim::traces {

std::string_view anomaly_name(Anomaly a) {
  switch (a) {
    case Anomaly::UnknownFree: return "unknown_free";
    case Anomaly::NullFree: return "null_free";
    case Anomaly::LiveReuse: return "live_reuse";
    case Anomaly::UnknownRealloc: return "unknown_realloc";
    case Anomaly::NestedCall: return "nested_call";
    case Anomaly::FailedAlloc: return "failed_alloc";
    case Anomaly::IgnoredLine: return "ignored_line";
    case Anomaly::UnmatchedResume: return "unmatched_resume";
    case Anomaly::Unfinished: return "unfinished";
    case Anomaly::Truncated: return "truncated";
  }
  return "unknown";
}

std::string_view anomaly_meaning(Anomaly a) {
  switch (a) {
    case Anomaly::UnknownFree: return "free of a pointer that is not live: dropped";
    case Anomaly::NullFree: return "free(NULL): dropped";
    case Anomaly::LiveReuse: return "allocation at an address still live: the old object freed first";
    case Anomaly::UnknownRealloc: return "realloc of a pointer that is not live: read as realloc(NULL, n)";
    case Anomaly::NestedCall: return "traced call made inside another traced call: dropped";
    case Anomaly::FailedAlloc: return "allocation that returned NULL: dropped";
    case Anomaly::IgnoredLine: return "line that carries no event: skipped";
    case Anomaly::UnmatchedResume: return "'resumed' line with no pending call: dropped";
    case Anomaly::Unfinished: return "call that never returned: dropped";
    case Anomaly::Truncated: return "record cut off by the end of the input: dropped";
  }
  return "unknown";
}

bool anomaly_is_repair(Anomaly a) { return a != Anomaly::NullFree && a != Anomaly::IgnoredLine; }

void AnomalyReport::add(Anomaly a, std::uint64_t line, std::string_view text) {
  const auto k = static_cast<std::size_t>(a);
  ++counts[k];
  if (samples[k].size() >= kSamplesPerKind) return;
  constexpr std::size_t kMaxText = 200;
  samples[k].push_back(Sample{line, std::string(text.substr(0, kMaxText))});
}

std::uint64_t AnomalyReport::repairs() const {
  std::uint64_t n = 0;
  for (int k = 0; k < kAnomalyKinds; ++k)
    if (anomaly_is_repair(static_cast<Anomaly>(k))) n += counts[k];
  return n;
}

}  // namespace allocsim::traces
