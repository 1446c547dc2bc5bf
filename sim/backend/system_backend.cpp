// The replay backend for the process's own malloc: glibc, or whatever
// LD_PRELOAD interposed (sim/backend/system_allocator.hpp names it). Each call
// goes straight to malloc/calloc/posix_memalign/realloc/free.
#include <cstddef>
#include <cstdlib>

#include "sim/backend/backend.hpp"
#include "sim/backend/system_allocator.hpp"

namespace allocsim::sim {
namespace {

using traces::Op;

class SystemThread final : public BackendThread {
 public:
  void* allocate(Op op, std::uint64_t size, std::uint32_t align) override {
    if (op == Op::Calloc) return std::calloc(1, size);
    if (op == Op::Memalign && align > alignof(std::max_align_t)) {
      void* p = nullptr;
      return ::posix_memalign(&p, align, size) == 0 ? p : nullptr;
    }
    return std::malloc(size);
  }
  void* reallocate(void* p, std::uint64_t, std::uint64_t size) override { return std::realloc(p, size); }
  void deallocate(void* p) override { std::free(p); }
};

class SystemBackend final : public Backend {
 public:
  SystemBackend() : allocator_(SystemAllocator::detect()) {
    traits_.name = "system";
    traits_.identity = allocator_.identity();
    traits_.footprint_source = allocator_.footprint_source();
  }
  const BackendTraits& traits() const override { return traits_; }
  std::unique_ptr<BackendThread> attach_thread() override { return std::make_unique<SystemThread>(); }
  std::uint64_t footprint() override { return allocator_.footprint(); }
  BackendSnapshot snapshot(BackendSnapshot::Detail) override {
    BackendSnapshot s;
    s.footprint = allocator_.footprint();
    return s;
  }

 private:
  const SystemAllocator& allocator_;
  BackendTraits traits_;
};

}  // namespace

std::unique_ptr<Backend> make_system_backend() { return std::make_unique<SystemBackend>(); }

}  // namespace allocsim::sim
