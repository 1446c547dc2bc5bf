#include "traces/trace_stats.hpp"

#include <fmt/format.h>

#include <vector>

#include "traces/flat_map.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

// What the pass remembers of a live object.
struct LiveObject {
  std::uint64_t size;
  std::uint64_t born_at;  // event index
  std::uint32_t thread;
};

class StatsPass {
 public:
  explicit StatsPass(TraceStats& s) : s_(s) {}

  void event(const Event& e) {
    const std::uint64_t index = s_.events++;
    ++s_.ops[static_cast<int>(e.op)];
    if (e.thread >= s_.threads) s_.threads = e.thread + 1;
    if (const std::uint64_t dying = e.dying(); dying != kNoObject) death(dying, e, index);
    if (e.allocates()) birth(e, index);
    previous_birth_ = e.allocates() ? e.id : kNoObject;
  }

  std::uint64_t adjacent_temporaries() const { return adjacent_temporaries_; }

  void finish() {
    s_.final_live_bytes = live_bytes_;
    s_.final_live_blocks = live_.size();
  }

 private:
  void birth(const Event& e, std::uint64_t index) {
    ++s_.allocations;
    s_.allocated_bytes += e.size;
    s_.sizes.add(e.size);
    live_.try_emplace(e.id, LiveObject{e.size, index, e.thread});
    if (__builtin_add_overflow(live_bytes_, e.size, &live_bytes_))
      throw TraceError(s_.info.path, TraceError::Where::None, 0,
                       fmt::format("live bytes overflow 64 bits at event {}", index));
    if (live_bytes_ > s_.peak_live_bytes) {
      s_.peak_live_bytes = live_bytes_;
      s_.peak_event_index = index;
    }
  }

  void death(std::uint64_t id, const Event& e, std::uint64_t index) {
    LiveObject obj{};
    if (!live_.erase(id, &obj)) {
      ++s_.unknown_frees;
      return;
    }
    ++s_.frees;
    live_bytes_ -= obj.size;
    s_.lifetimes.add(index - obj.born_at);
    if (obj.thread != e.thread) ++s_.cross_thread_frees;
    if (id == previous_birth_) ++adjacent_temporaries_;
  }

  TraceStats& s_;
  FlatMap<std::uint64_t, LiveObject> live_;
  std::uint64_t live_bytes_ = 0;
  std::uint64_t previous_birth_ = kNoObject;
  std::uint64_t adjacent_temporaries_ = 0;
};

}  // namespace

TraceStats trace_stats(EventReader& reader) {
  TraceStats s;
  s.info = reader.info();
  StatsPass pass(s);
  std::vector<Event> batch(4096);
  while (const std::size_t n = reader.read(batch)) {
    for (std::size_t i = 0; i < n; ++i) pass.event(batch[i]);
  }
  pass.finish();
  s.info = reader.info();  // text formats know some of it only at the end
  s.anomalies = reader.anomalies();
  s.unknown_frees += s.anomalies.count(Anomaly::UnknownFree);
  if (const auto totals = reader.heaptrack_totals()) {
    s.heaptrack = totals;
    s.temporary_rule = TemporaryRule::Heaptrack;
    s.temporary_allocations = s.heaptrack->temporary;
  } else {
    s.temporary_rule = TemporaryRule::Adjacent;
    s.temporary_allocations = pass.adjacent_temporaries();
  }
  s.calls = reader.calls();
  return s;
}

}  // namespace allocsim::traces
