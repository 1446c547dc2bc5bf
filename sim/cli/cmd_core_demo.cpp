// `allocsim core-demo`: drives the ready-queue core directly with a
// synthetic cross-thread workload (threads allocate, the next thread in a
// ring frees) and prints what the core did. A smoke run of the core for
// the demo and for people trying a policy before they have a trace.
#include <fmt/core.h>
#include <fmt/ostream.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "allocator/collector.hpp"
#include "allocator/policy.hpp"
#include "allocator/thread_heap.hpp"
#include "sim/cli/commands.hpp"
#include "sim/common/paths.hpp"

namespace allocsim::sim {
namespace {

namespace al = allocsim::allocator;

struct Mailbox {
  std::mutex m;
  std::deque<void*> q;
};

void worker(al::Heap& heap, std::vector<Mailbox>& boxes, int id, std::uint64_t ops, std::uint64_t seed) {
  al::ThreadHeap t(heap);
  std::mt19937_64 rng(seed + id);
  std::vector<void*> local;
  auto drain = [&] {
    std::deque<void*> got;
    {
      std::lock_guard lock(boxes[id].m);
      got.swap(boxes[id].q);
    }
    for (void* p : got) t.deallocate(p);
  };
  for (std::uint64_t i = 0; i < ops; ++i) {
    const std::size_t n = 8 + (rng() % 4 == 0 ? rng() % 4096 : rng() % 256);
    void* p = t.allocate(n);
    if (!p) continue;
    static_cast<char*>(p)[0] = 1;
    if (rng() % 2) {
      local.push_back(p);
      if (local.size() > 512) {
        const auto k = rng() % local.size();
        t.deallocate(local[k]);
        local[k] = local.back();
        local.pop_back();
      }
    } else {
      auto& box = boxes[(id + 1) % boxes.size()];
      std::lock_guard lock(box.m);
      box.q.push_back(p);
    }
    if (i % 64 == 0) drain();
  }
  for (void* p : local) t.deallocate(p);
  drain();
}

}  // namespace

int cmd_core_demo(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string policy = "adaptive";
  unsigned threads = 4;
  std::uint64_t ops = 200000, seed = 1;
  po::options_description opts("allocsim core-demo: run the allocator core on a synthetic cross-thread workload");
  opts.add_options()("help,h", "this text")(
      "policy", po::value(&policy)->default_value(policy), "policy preset name or .ini path")(
      "threads", po::value(&threads)->default_value(threads), "mutator threads (a ring: each frees the previous one's chunks)")(
      "ops", po::value(&ops)->default_value(ops), "allocations per thread")(
      "seed", po::value(&seed)->default_value(seed), "random seed");
  po::variables_map vm;
  po::store(po::command_line_parser(std::vector<std::string>(args.begin() + 1, args.end())).options(opts).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    fmt::print("{}\n", fmt::streamed(opts));
    return kExitOk;
  }
  const al::Config config = al::load_policy(policy, policies_dir());
  if (threads == 0) threads = 1;
  al::Heap heap(config, {al::CollectorMode::Threaded});
  std::vector<Mailbox> boxes(threads);
  const auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> pool;
    for (unsigned id = 0; id < threads; ++id) pool.emplace_back(worker, std::ref(heap), std::ref(boxes), id, ops, seed);
    for (auto& t : pool) t.join();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  heap.collector().stop_thread();
  heap.collector().run_until_idle();
  const al::HeapStats s = heap.stats();
  const al::CheckReport check = heap.check();
  fmt::print("core-demo: policy {}, {} threads x {} allocations in {:.3f} s ({:.1f} M ops/s)\n", policy, threads, ops,
             seconds, 2.0 * threads * ops / seconds / 1e6);
  fmt::print("mapped now {} B, peak {} B, queues hold {} B\n", s.mapped_bytes, s.peak_mapped_bytes, s.queue_bytes);
  visit(s.threads, [](const char* name, std::uint64_t v) { fmt::print("  thread.{:<18} {}\n", name, v); });
  visit(s.collector, [](const char* name, std::uint64_t v) { fmt::print("  collector.{:<15} {}\n", name, v); });
  fmt::print("check: {}\n", check.summary());
  return check.ok ? kExitOk : kExitFailure;
}

}  // namespace allocsim::sim
