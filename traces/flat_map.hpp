#pragma once
// A small open-addressing hash map for the hot paths of the readers and of
// trace statistics (address -> lifetime, object id -> record), where
// std::unordered_map's node allocations dominate the run time.
//
// Linear probing over a power-of-two table kept at most half full, with
// backward-shift deletion (no tombstones), so lookups stay short however
// many inserts and erases a long trace makes. Keys are hashed by Traits; one
// key value (Traits::empty()) marks free slots and may not be inserted —
// callers that can see it keep it aside (see ObjectIds).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace allocsim::traces {

// Traits for 64-bit integer keys: Fibonacci hashing spreads aligned
// addresses and dense ids alike over the high bits.
struct U64KeyTraits {
  static constexpr std::uint64_t empty() { return ~std::uint64_t{0}; }
  static std::uint64_t hash(std::uint64_t k) { return k * 0x9E3779B97F4A7C15ull; }
};

template <class Key, class Value, class Traits = U64KeyTraits>
class FlatMap {
 public:
  FlatMap() { rehash(16); }

  Value* find(const Key& key) {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == Traits::empty()) return nullptr;
    }
  }
  const Value* find(const Key& key) const { return const_cast<FlatMap*>(this)->find(key); }

  // Inserts (key, value) unless key is present; returns the stored value and
  // whether it was inserted.
  std::pair<Value*, bool> try_emplace(const Key& key, const Value& value) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    std::size_t i = home(key);
    for (; slots_[i].key != Traits::empty(); i = (i + 1) & mask_)
      if (slots_[i].key == key) return {&slots_[i].value, false};
    slots_[i] = Slot{key, value};
    ++size_;
    return {&slots_[i].value, true};
  }

  // Removes key; returns false when absent. The removed value goes to *out.
  bool erase(const Key& key, Value* out = nullptr) {
    std::size_t i = home(key);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].key == Traits::empty()) return false;
      if (slots_[i].key == key) break;
    }
    if (out) *out = slots_[i].value;
    shift_back(i);
    --size_;
    return true;
  }

  std::size_t size() const { return size_; }

  template <class F>
  void for_each(F&& f) const {
    for (const auto& s : slots_)
      if (s.key != Traits::empty()) f(s.key, s.value);
  }

 private:
  struct Slot {
    Key key;
    Value value;
  };

  std::size_t home(const Key& key) const { return static_cast<std::size_t>(Traits::hash(key) >> shift_); }

  // Backward-shift deletion: pull later members of the probe run into the
  // hole when their home position allows it, so no tombstones are needed.
  void shift_back(std::size_t hole) {
    for (std::size_t j = (hole + 1) & mask_; slots_[j].key != Traits::empty(); j = (j + 1) & mask_) {
      const std::size_t h = home(slots_[j].key);
      const bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
      if (!movable) continue;
      slots_[hole] = slots_[j];
      hole = j;
    }
    slots_[hole].key = Traits::empty();
  }

  void rehash(std::size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{Traits::empty(), Value{}});
    mask_ = capacity - 1;
    shift_ = 64 - __builtin_ctzll(capacity);
    size_ = 0;
    for (const auto& s : old)
      if (s.key != Traits::empty()) try_emplace(s.key, s.value);
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 0;
  std::size_t size_ = 0;
};

}  // namespace allocsim::traces
