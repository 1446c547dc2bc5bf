#pragma once
// Maps recorded addresses to dense object ids, a new id for each lifetime
// of an address. Shared by every reader that sees pointers.
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "traces/event.hpp"

namespace allocsim::traces {

class ObjectIds {
 public:
  struct Live {
    std::uint64_t id;
    std::uint64_t size;
    std::uint32_t thread;
  };

  // A new lifetime of `address`. If the address was still live, its old
  // lifetime is ended and returned (the caller reports Anomaly::LiveReuse).
  std::uint64_t born(std::uint64_t address, std::uint64_t size, std::uint32_t thread,
                     std::optional<Live>* ended = nullptr) {
    const std::uint64_t id = next_id_++;
    auto [it, inserted] = live_.try_emplace(address, Live{id, size, thread});
    if (!inserted) {
      if (ended) *ended = it->second;
      it->second = Live{id, size, thread};
    }
    return id;
  }

  // Ends the lifetime of `address`; nullopt when it is not live.
  std::optional<Live> die(std::uint64_t address) {
    auto it = live_.find(address);
    if (it == live_.end()) return std::nullopt;
    Live l = it->second;
    live_.erase(it);
    return l;
  }

  const Live* find(std::uint64_t address) const {
    auto it = live_.find(address);
    return it == live_.end() ? nullptr : &it->second;
  }
  std::uint64_t ids_issued() const { return next_id_; }
  std::size_t live_count() const { return live_.size(); }

 private:
  std::unordered_map<std::uint64_t, Live> live_;
  std::uint64_t next_id_ = 0;
};

}  // namespace allocsim::traces
