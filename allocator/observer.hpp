#pragma once
// What the core reports as it works. One event struct, one virtual call,
// made only on slow paths (never on the thread-cache fast path); with no
// observer installed the cost is a predictable null check.
//
// In threaded mode events arrive from mutator threads (Fallback,
// CollectorWake, OsMap of a thread's fresh block) and from the collector
// thread at the same time: an observer must be thread-safe there.
#include <cstdint>
#include <string_view>

namespace allocsim::allocator {

enum class HeapEventKind : std::uint8_t {
  QueueGrow,       // size_class, value = new target
  QueueReclaim,    // size_class, count = chunks moved back, value = new target
  Split,           // size_class of the pieces, bytes = chunk split, count = pieces cut
  Merge,           // size_class of the result, bytes = merged size
  HandOff,         // size_class, bytes: a merged chunk went straight to a starving queue
  OsMap,           // bytes mapped (blocks and large mappings)
  OsRelease,       // bytes unmapped
  Purge,           // bytes given back with madvise
  Fallback,        // size_class, bytes: a thread carved a chunk from its own fresh region
  CollectorSleep,  // the collector found nothing to do
  CollectorWake,   // a free (or a starving thread) woke it
};
inline constexpr int kHeapEventKinds = 11;
std::string_view event_name(HeapEventKind k);

inline constexpr std::uint32_t kNoClass = 0xffffffffu;
inline constexpr std::uint32_t kCollectorThread = 0xffffffffu;

struct HeapEvent {
  HeapEventKind kind;
  std::uint32_t size_class = kNoClass;
  std::uint32_t thread = kCollectorThread;  // ThreadHeap id of the thread that caused it
  std::uint64_t bytes = 0;
  std::uint64_t count = 0;
  std::uint64_t value = 0;
};

class HeapObserver {
 public:
  virtual ~HeapObserver() = default;
  virtual void on_event(const HeapEvent& event) = 0;
};

}  // namespace allocsim::allocator
