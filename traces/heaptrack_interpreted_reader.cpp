// heaptrack interpreted data (what `heaptrack prog` keeps, and what
// heaptrack_print reads): heaptrack_interpret has replaced pointers by
// allocation-info indices and addresses by symbols. Example:
//
//   v 10400 3                                  heaptrack version, file format
//   X /opt/progs/edgecases                     argv, rest of the line
//   I 1000 5e2922                              page size, physical pages
//   s 4 main                                   interned string (1-based, sized)
//   i 56391a9f022b 1 14 15 f                   ip, module [fn file line [fn file line]...]
//   t 8 7                                      trace node: ip index, parent node
//   a 64 8                                     allocation info (0-based): size, trace node
//   + 1                                        allocation of allocation info 1
//   - 1                                        free of a member of allocation info 1
//   c 0                                        milliseconds since start
//   R 402                                      RSS in pages
//   # comment
//
// A `-` names a (size, call site) class, not an object: the member that dies
// is the most recently (ReadOptions::FreeChoice::Lifo, default) or least
// recently (Fifo) born live one. Byte accounting does not depend on it;
// lifetimes do. No record names an operation or a thread: `+` is a Malloc,
// `-` a Free (a realloc shows as a `-`/`+` pair), all on virtual thread 0.
// A `-` of a class with no live member is Anomaly::UnknownFree (heaptrack
// itself never writes one).
#include <fmt/format.h>

#include <vector>

#include "traces/heaptrack_common.hpp"
#include "traces/heaptrack_readers.hpp"

namespace allocsim::traces {
namespace {

class HeaptrackInterpretedReader final : public HeaptrackReaderBase {
 public:
  HeaptrackInterpretedReader(std::unique_ptr<LineReader> lines, const ReadOptions& options)
      : HeaptrackReaderBase(std::move(lines), options, Format::HeaptrackInterpreted),
        fifo_(options.interpreted_free == ReadOptions::FreeChoice::Fifo) {}

 private:
  // One allocation-info entry and the live objects born from it, oldest
  // first from `head` on.
  struct Site {
    std::uint64_t size;
    std::vector<std::uint64_t> live;
    std::size_t head = 0;
  };

  void record(char type, HeaptrackFields& f) override {
    switch (type) {
      case '+': return allocation(f);
      case '-': return deallocation(f);
      case 'a': return allocation_info(f);
      case 't': return trace_node(f);
      case 'i': return instruction(f);
      case 's': return string(f);
      default: unknown_record(type);
    }
  }
  bool saw_events() const override { return next_id_ > 0; }

  std::uint32_t site_index(HeaptrackFields& f, std::string_view record) const {
    std::uint64_t index = 0;
    expect(f.hex(index), f, record);
    expect_end(f, record);
    if (index >= sites_.size())
      bad_line(fmt::format("allocation info {} is not defined yet ({} so far)", index, sites_.size()));
    return static_cast<std::uint32_t>(index);
  }

  void allocation(HeaptrackFields& f) {
    const std::uint32_t index = site_index(f, "+ allocation_info_index");
    Site& site = sites_[index];
    const std::uint64_t id = next_id_++;
    site.live.push_back(id);
    emit(Event{.id = id, .size = site.size, .op = Op::Malloc});
    tally_.allocation(index, site.size);
  }

  void deallocation(HeaptrackFields& f) {
    const std::uint32_t index = site_index(f, "- allocation_info_index");
    Site& site = sites_[index];
    tally_.deallocation(index, site.size);  // heaptrack_print subtracts whatever follows
    if (site.head == site.live.size())
      return anomaly(Anomaly::UnknownFree, "free of an allocation info with no live object");
    emit(Event{.id = take(site), .op = Op::Free});
  }

  std::uint64_t take(Site& site) const {
    if (!fifo_) {
      const std::uint64_t id = site.live.back();
      site.live.pop_back();
      return id;
    }
    const std::uint64_t id = site.live[site.head++];
    if (site.head == site.live.size()) {
      site.live.clear();
      site.head = 0;
    } else if (site.head >= 64 && site.head * 2 >= site.live.size()) {
      site.live.erase(site.live.begin(), site.live.begin() + static_cast<std::ptrdiff_t>(site.head));
      site.head = 0;
    }
    return id;
  }

  void allocation_info(HeaptrackFields& f) {
    std::uint64_t size = 0, trace = 0;
    expect(f.hex(size) && f.hex(trace), f, "a size trace");
    expect_end(f, "a size trace");
    if (trace > trace_nodes_) bad_line(fmt::format("trace node {} is not defined yet ({} so far)", trace, trace_nodes_));
    if (sites_.size() > UINT32_MAX) bad_line("more than 2^32 allocation infos");
    sites_.push_back(Site{checked_size(size), {}, 0});
  }

  void trace_node(HeaptrackFields& f) {
    std::uint64_t ip_index = 0, parent = 0;
    expect(f.hex(ip_index) && f.hex(parent), f, "t ip_index parent");
    expect_end(f, "t ip_index parent");
    if (parent > trace_nodes_) bad_line(fmt::format("parent trace node {} is not defined yet", parent));
    ++trace_nodes_;
  }

  void instruction(HeaptrackFields& f) {
    std::uint64_t v = 0;
    expect(f.hex(v) && f.hex(v), f, "i ip module [function file line]...");
    while (!f.done()) expect(f.hex(v), f, "i ip module [function file line]...");
  }

  void string(HeaptrackFields& f) {
    std::string_view s;
    expect(string_field(f, s), f, "s length string");
  }

  std::vector<Site> sites_;
  std::uint64_t next_id_ = 0;
  std::uint64_t trace_nodes_ = 0;
  const bool fifo_;
};

}  // namespace

std::unique_ptr<EventReader> make_heaptrack_interpreted_reader(std::unique_ptr<LineReader> lines,
                                                               const ReadOptions& options) {
  return std::make_unique<HeaptrackInterpretedReader>(std::move(lines), options);
}

}  // namespace allocsim::traces
