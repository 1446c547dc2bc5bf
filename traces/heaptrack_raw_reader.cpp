// heaptrack raw data (what libheaptrack writes; `heaptrack -r` keeps it as
// X.raw.zst). It has pointers, so object lifetimes are exact. Example:
//
//   v 10400 3                                  heaptrack version, file format
//   x 14 /opt/progs/edgecases                  executable (sized string)
//   X /opt/progs/edgecases                     argv, rest of the line
//   I 1000 5e2922                              page size, physical pages
//   m 1 -                                      drop all modules
//   m 1f /lib/x86_64-linux-gnu/libc.so.6 7f76569e8000 0 25388 26000 1550fc
//                                              module: name, base, (vaddr memsz)...
//   t 56391a9f022b 7                           trace node: ip, parent node (1-based, 0 = root)
//   + 64 8 563946bff1d0                        allocation: size, trace node, pointer
//   - 563946bff1d0                             free: pointer
//   c b                                        milliseconds since start
//   R 402                                      RSS in pages
//
// Repairs: a `+` of a live pointer ends the old lifetime first (realloc's
// `- old` is written after the block was released, so another thread's
// `+ old` can come first): a Free of the old object and Anomaly::LiveReuse.
// A `-` of a pointer that is not live (memalign/pvalloc are not recorded,
// allocations made before heaptrack attached) is Anomaly::UnknownFree.
// No record names a thread: every event is on virtual thread 0.
//
// heaptrack accounting: heaptrack_interpret numbers (size, trace) pairs in
// order of first use (the allocation-info index) and forgets `-` of unknown
// pointers; the tally below does the same, so heaptrack_totals() equals what
// heaptrack_print reports for the interpreted twin of this file.
#include "traces/heaptrack_readers.hpp"

#include <fmt/format.h>

#include "traces/flat_map.hpp"
#include "traces/heaptrack_common.hpp"
#include "traces/object_ids.hpp"

namespace allocsim::traces {
namespace {

// (size, trace node) as one key; the empty marker is a size no record may carry.
struct SiteKey {
  std::uint64_t size;
  std::uint64_t trace;
  bool operator==(const SiteKey&) const = default;
};
struct SiteKeyTraits {
  static constexpr SiteKey empty() { return {~std::uint64_t{0}, 0}; }
  static std::uint64_t hash(const SiteKey& k) {
    return (k.size * 0x9E3779B97F4A7C15ull) ^ ((k.trace + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full);
  }
};

class HeaptrackRawReader final : public HeaptrackReaderBase {
 public:
  HeaptrackRawReader(std::unique_ptr<LineReader> lines, const ReadOptions& options)
      : HeaptrackReaderBase(std::move(lines), options, Format::HeaptrackRaw) {}

 private:
  void record(char type, HeaptrackFields& f) override {
    switch (type) {
      case '+': return allocation(f);
      case '-': return deallocation(f);
      case 't': return trace_node(f);
      case 'x': return executable(f);
      case 'm': return module(f);
      default: unknown_record(type);
    }
  }
  bool saw_events() const override { return ids_.ids_issued() > 0; }

  void allocation(HeaptrackFields& f) {
    std::uint64_t size = 0, trace = 0, ptr = 0;
    expect(f.hex(size) && f.hex(trace) && f.hex(ptr), f, "+ size trace pointer");
    expect_end(f, "+ size trace pointer");
    checked_size(size);
    if (trace > trace_nodes_) bad_line(fmt::format("trace node {} is not defined yet ({} so far)", trace, trace_nodes_));
    const auto site = static_cast<std::uint32_t>(sites_.size());
    const std::uint32_t index = *sites_.try_emplace(SiteKey{size, trace}, site).first;
    std::optional<ObjectIds::Live> ended;
    const std::uint64_t id = ids_.born(ptr, size, 0, &ended, index);
    if (ended) {
      anomaly(Anomaly::LiveReuse, "allocation of a live pointer");
      emit(Event{.id = ended->id, .thread = ended->thread, .op = Op::Free});
    }
    emit(Event{.id = id, .size = size, .op = Op::Malloc});
    tally_.allocation(index, size);
  }

  void deallocation(HeaptrackFields& f) {
    std::uint64_t ptr = 0;
    expect(f.hex(ptr), f, "- pointer");
    expect_end(f, "- pointer");
    const auto live = ids_.die(ptr);
    if (!live) return anomaly(Anomaly::UnknownFree, "free of a pointer that is not live");
    emit(Event{.id = live->id, .thread = live->thread, .op = Op::Free});
    tally_.deallocation(live->tag, live->size);
  }

  void trace_node(HeaptrackFields& f) {
    std::uint64_t ip = 0, parent = 0;
    expect(f.hex(ip) && f.hex(parent), f, "t ip parent");
    expect_end(f, "t ip parent");
    if (parent > trace_nodes_) bad_line(fmt::format("parent trace node {} is not defined yet", parent));
    ++trace_nodes_;
  }

  void executable(HeaptrackFields& f) {
    std::string_view path;
    expect(string_field(f, path), f, "x length path");
  }

  // `m 1 -` drops the module cache; otherwise name, base, then (vaddr, memsz) pairs.
  void module(HeaptrackFields& f) {
    std::string_view name;
    expect(string_field(f, name), f, "m length name base [vaddr memsz]...");
    if (name == "-") return expect_end(f, "m 1 -");
    std::uint64_t base = 0, vaddr = 0, memsz = 0;
    expect(f.hex(base), f, "m length name base [vaddr memsz]...");
    while (!f.done()) expect(f.hex(vaddr) && f.hex(memsz), f, "m length name base [vaddr memsz]...");
  }

  ObjectIds ids_;
  FlatMap<SiteKey, std::uint32_t, SiteKeyTraits> sites_;
  std::uint64_t trace_nodes_ = 0;
};

}  // namespace

std::unique_ptr<EventReader> make_heaptrack_raw_reader(std::unique_ptr<LineReader> lines, const ReadOptions& options) {
  return std::make_unique<HeaptrackRawReader>(std::move(lines), options);
}

}  // namespace allocsim::traces
