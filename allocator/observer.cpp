#include "allocator/observer.hpp"

namespace allocsim::allocator {

std::string_view event_name(HeapEventKind k) {
  switch (k) {
    case HeapEventKind::QueueGrow: return "queue_grow";
    case HeapEventKind::QueueReclaim: return "queue_reclaim";
    case HeapEventKind::Split: return "split";
    case HeapEventKind::Merge: return "merge";
    case HeapEventKind::HandOff: return "hand_off";
    case HeapEventKind::OsMap: return "os_map";
    case HeapEventKind::OsRelease: return "os_release";
    case HeapEventKind::Purge: return "purge";
    case HeapEventKind::Fallback: return "fallback";
    case HeapEventKind::CollectorSleep: return "collector_sleep";
    case HeapEventKind::CollectorWake: return "collector_wake";
  }
  return "?";
}

}  // namespace allocsim::allocator
