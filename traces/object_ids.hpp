#pragma once
// Maps recorded addresses to dense object ids, a new id for each lifetime
// of an address. Shared by every reader that sees pointers.
#include <cstdint>
#include <optional>
#include <utility>

#include "traces/event.hpp"
#include "traces/flat_map.hpp"

namespace allocsim::traces {

class ObjectIds {
 public:
  struct Live {
    std::uint64_t id;
    std::uint64_t size;
    std::uint32_t thread;
    // Reader-private data carried with the lifetime (the heaptrack raw
    // reader keeps the allocation-info class here); 0 unless born() sets it.
    std::uint32_t tag = 0;
  };

  // A new lifetime of `address`. If the address was still live, its old
  // lifetime is ended and returned (the caller reports Anomaly::LiveReuse).
  std::uint64_t born(std::uint64_t address, std::uint64_t size, std::uint32_t thread,
                     std::optional<Live>* ended = nullptr, std::uint32_t tag = 0) {
    const std::uint64_t id = next_id_++;
    const Live fresh{id, size, thread, tag};
    if (address == U64KeyTraits::empty()) {
      if (max_address_ && ended) *ended = max_address_;
      max_address_ = fresh;
      return id;
    }
    auto [live, inserted] = live_.try_emplace(address, fresh);
    if (!inserted) {
      if (ended) *ended = *live;
      *live = fresh;
    }
    return id;
  }

  // Ends the lifetime of `address`; nullopt when it is not live.
  std::optional<Live> die(std::uint64_t address) {
    if (address == U64KeyTraits::empty()) return std::exchange(max_address_, std::nullopt);
    Live l{};
    if (!live_.erase(address, &l)) return std::nullopt;
    return l;
  }

  const Live* find(std::uint64_t address) const {
    if (address == U64KeyTraits::empty()) return max_address_ ? &*max_address_ : nullptr;
    return live_.find(address);
  }
  std::uint64_t ids_issued() const { return next_id_; }
  std::size_t live_count() const { return live_.size() + (max_address_ ? 1 : 0); }

 private:
  FlatMap<std::uint64_t, Live> live_;
  std::optional<Live> max_address_;  // the one address FlatMap reserves as its empty marker
  std::uint64_t next_id_ = 0;
};

}  // namespace allocsim::traces
