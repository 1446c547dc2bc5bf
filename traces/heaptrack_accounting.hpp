#pragma once
// heaptrack_print's own totals, carried beside the event stream.
//
// Why a side channel: heaptrack counts a "temporary allocation" by a rule on
// its allocation-info index (a `-` whose previous `+`/`-` record was a `+`
// of the same index; after every `-` the remembered index becomes 0, itself
// a valid index). The index is a property of the file, not of the event
// model, so the heaptrack readers run the rule while they parse and expose
// the result from EventReader::heaptrack_totals() instead of widening Event;
// trace_stats() falls back to a generic rule for other formats.
#include <cstdint>

namespace allocsim::traces {

struct HeaptrackTotals {
  std::uint64_t allocations = 0;    // `+` records
  std::uint64_t deallocations = 0;  // `-` records heaptrack_print sees
  std::uint64_t temporary = 0;      // heaptrack's temporary-allocation rule
  std::int64_t peak_bytes = 0;      // highest running sum of live bytes
  std::int64_t leaked_bytes = 0;    // live bytes at the end, no suppressions
};

// The arithmetic of accumulatedtracedata.cpp (heaptrack 1.4) over
// allocation-info indices, fed one `+`/`-` record at a time. An `A` record
// changes nothing: heaptrack_print prints the totals of its second pass,
// which skips `A`.
class HeaptrackTally {
 public:
  void allocation(std::uint32_t index, std::uint64_t size) {
    ++t_.allocations;
    t_.leaked_bytes += static_cast<std::int64_t>(size);
    if (t_.leaked_bytes > t_.peak_bytes) t_.peak_bytes = t_.leaked_bytes;
    last_ = index;
  }
  void deallocation(std::uint32_t index, std::uint64_t size) {
    ++t_.deallocations;
    if (last_ == index) ++t_.temporary;
    last_ = 0;  // heaptrack's quirk, kept on purpose
    t_.leaked_bytes -= static_cast<std::int64_t>(size);
  }
  const HeaptrackTotals& totals() const { return t_; }

 private:
  HeaptrackTotals t_;
  std::uint64_t last_ = 0;
};

}  // namespace allocsim::traces
