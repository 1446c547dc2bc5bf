#include "sim/replay/worker.hpp"

#include <chrono>
#include <cstring>

namespace allocsim::sim {
namespace {

using traces::Op;
using Clock = std::chrono::steady_clock;

void touch_memory(void* p, std::uint64_t n, Touch touch) {
  auto* c = static_cast<volatile char*>(p);
  if (n == 0 || touch == Touch::None) return;
  if (touch == Touch::All) return static_cast<void>(std::memset(p, 0xa5, n));
  c[0] = 1;
  if (touch == Touch::First) return;
  constexpr std::uintptr_t kPage = 4096;
  const auto start = reinterpret_cast<std::uintptr_t>(p);
  for (std::uintptr_t a = (start + kPage) & ~(kPage - 1); a < start + n; a += kPage)
    *reinterpret_cast<volatile char*>(a) = 1;
}

char failed_marker;

}  // namespace

void* failed_allocation_marker() { return &failed_marker; }

void ReplayWorker::run() {
  thread_heap_ = backend_.attach_thread();
  Backoff backoff;
  ReplayMessage m;
  while (!abort_.load(std::memory_order_relaxed)) {
    if (!queue_.pop(m)) {
      if (!queue_.closed()) {
        backoff.pause();
        continue;
      }
      if (!queue_.pop(m)) break;  // closed (after its last push) and drained
    }
    backoff.reset();
    execute(m);
    done_.store(done_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  thread_heap_.reset();  // a thread's exit: its caches go back to the heap
  finished_.store(true, std::memory_order_release);
}

template <typename F>
void* ReplayWorker::timed(F&& op) {
  const auto t0 = Clock::now();
  void* p = op();
  latency_.add(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count()));
  return p;
}

void* ReplayWorker::wait_for(const ReplayMessage& m) {
  void* p = m.dying->ptr.load(std::memory_order_acquire);
  if (p) return p;
  ++waits_;
  waiting_on_.store(m.dying_id, std::memory_order_relaxed);
  Backoff backoff;
  while (!(p = m.dying->ptr.load(std::memory_order_acquire)) && !abort_.load(std::memory_order_relaxed)) backoff.pause();
  waiting_on_.store(kNotWaiting, std::memory_order_relaxed);
  return p;
}

void ReplayWorker::publish(const ReplayMessage& m, void* p) {
  if (!p) ++failed_;
  else touch_memory(p, m.size, touch_);
  m.born->ptr.store(p ? p : failed_allocation_marker(), std::memory_order_release);
}

void ReplayWorker::execute(const ReplayMessage& m) {
  BackendThread& t = *thread_heap_;
  void* old = nullptr;
  if (m.dying) {
    old = wait_for(m);
    if (!old) return;  // aborted
    if (old == failed_allocation_marker()) old = nullptr;
  }
  if (m.op == Op::Free) {
    if (old) timed([&] { t.deallocate(old); return nullptr; });
    return;
  }
  void* p = nullptr;
  if (m.op == Op::Realloc) {
    if (m.size == 0 || !old) {
      if (old) timed([&] { t.deallocate(old); return nullptr; });
      p = timed([&] { return m.size ? t.reallocate(nullptr, 0, m.size) : t.allocate(Op::Malloc, 0, 0); });
    } else {
      p = timed([&] { return t.reallocate(old, m.dying_size, m.size); });
      if (!p) t.deallocate(old);
    }
  } else {
    p = timed([&] { return t.allocate(m.op, m.size, m.align); });
  }
  publish(m, p);
}

}  // namespace allocsim::sim
