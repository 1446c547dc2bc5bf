#include "allocator/clock.hpp"

#include <chrono>

namespace allocsim::allocator {
namespace {

class SteadyClock final : public Clock {
 public:
  std::uint64_t now_ns() const override {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
  }
};

}  // namespace

const Clock& steady_clock() {
  static const SteadyClock clock;  // constant-initialised: safe inside the first malloc
  return clock;
}

}  // namespace allocsim::allocator
