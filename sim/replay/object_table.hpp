#pragma once
// The replay's object table: trace object id -> (pointer, requested size).
//
// Ids are dense and born in order (traces/event.hpp), so the table indexes
// an array directly instead of hashing. The array is cut into pages of
// 2^17 slots (2 MiB) mapped straight from the OS, not from malloc: when the
// system allocator is the one being measured, the replay's own bookkeeping
// must not show up in its footprint. A page whose every object has died is
// handed back (at once in virtual mode; threaded mode releases it only when
// every replay thread has finished with it).
//
// One writer (the replay's single driver, or the threaded dispatcher); in
// threaded mode the pointer field is written by the allocating thread and
// read by the freeing one, ordered by the replay's sync points.
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

namespace allocsim::sim {

class ObjectTable {
 public:
  static constexpr unsigned kPageShift = 17;
  static constexpr std::uint64_t kPageSlots = std::uint64_t{1} << kPageShift;

  struct Slot {
    std::atomic<void*> ptr{nullptr};
    std::uint64_t size = 0;  // kLive bit set while the object lives
  };
  static constexpr std::uint64_t kLive = std::uint64_t{1} << 63;

  ObjectTable() = default;
  ~ObjectTable();
  ObjectTable(const ObjectTable&) = delete;
  ObjectTable& operator=(const ObjectTable&) = delete;

  // The id the next birth must carry.
  std::uint64_t next_id() const { return next_id_; }
  std::uint64_t live_count() const { return live_; }

  // Records the birth of `next_id()`; the caller checks the id first.
  Slot& birth(std::uint64_t size) {
    const std::uint64_t id = next_id_++;
    const std::uint64_t page = id >> kPageShift;
    if (page >= pages_.size()) add_page();
    Slot& s = pages_[page].slots[id & (kPageSlots - 1)];
    s.size = size | kLive;
    ++pages_[page].live;
    ++live_;
    return s;
  }

  // The live object `id`, or nullptr (never born, dead, or page released).
  Slot* find(std::uint64_t id) {
    if (id >= next_id_) return nullptr;
    Page& p = pages_[id >> kPageShift];
    if (!p.slots) return nullptr;
    Slot& s = p.slots[id & (kPageSlots - 1)];
    return (s.size & kLive) ? &s : nullptr;
  }

  // Ends a live object's lifetime; returns its requested size. When its
  // page is now wholly dead, the page index goes to dead_pages().
  std::uint64_t death(Slot& s, std::uint64_t id) {
    const std::uint64_t size = s.size & ~kLive;
    s.size = size;
    --live_;
    const std::uint64_t page = id >> kPageShift;
    if (--pages_[page].live == 0 && (page + 1) * kPageSlots <= next_id_) dead_.push_back(page);
    return size;
  }

  // Pages whose objects have all died since the last call; the caller
  // releases each (release_page) when nobody can read it any more.
  std::vector<std::uint64_t> take_dead_pages() { return std::exchange(dead_, {}); }

  // Calls f(Slot&) for every live object, in id order.
  template <typename F>
  void for_each_live(F&& f) {
    for (Page& p : pages_) {
      if (!p.slots || p.live == 0) continue;
      for (std::uint64_t i = 0; i < kPageSlots; ++i)
        if (p.slots[i].size & kLive) f(p.slots[i]);
    }
  }
  bool has_dead_pages() const { return !dead_.empty(); }
  void release_page(std::uint64_t page);

 private:
  struct Page {
    Slot* slots = nullptr;
    std::uint64_t live = 0;
  };
  static constexpr std::size_t kPageBytes = kPageSlots * sizeof(Slot);
  static void* map_page();
  void add_page();

  std::vector<Page> pages_;
  std::vector<std::uint64_t> dead_;
  std::uint64_t next_id_ = 0;
  std::uint64_t live_ = 0;
};

}  // namespace allocsim::sim
