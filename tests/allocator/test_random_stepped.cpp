// Seeded random alloc/free/realloc sequences from several virtual threads
// in stepped mode, with check() after every collector step and the
// contents of every allocation verified when it is freed.
#include <cstring>
#include <random>

#include "heap_test_support.hpp"

namespace allocsim::allocator::testing {
namespace {

struct Live {
  unsigned char* p;
  std::size_t n;
  unsigned char fill;
};

std::size_t pick_size(std::mt19937_64& rng) {
  const auto r = rng() % 100;
  if (r < 60) return rng() % 128;
  if (r < 90) return 128 + rng() % 4000;
  if (r < 98) return 4096 + rng() % 60000;
  return 65536 + rng() % 300000;
}

void verify(const Live& l) {
  for (std::size_t i = 0; i < l.n; ++i)
    if (l.p[i] != l.fill) FAIL() << "byte " << i << " of a " << l.n << "-byte allocation was overwritten";
}

void run_random(Config cfg, std::uint64_t seed, int ops) {
  cfg.validate_frees = true;
  Heap heap{cfg};
  std::vector<std::unique_ptr<ThreadHeap>> threads;
  for (int i = 0; i < 3; ++i) threads.push_back(std::make_unique<ThreadHeap>(heap));
  std::mt19937_64 rng(seed);
  std::vector<Live> live;
  for (int op = 0; op < ops; ++op) {
    ThreadHeap& t = *threads[rng() % threads.size()];
    const auto r = rng() % 100;
    if (r < 55 || live.empty()) {
      const std::size_t n = pick_size(rng);
      const std::size_t align = (rng() % 10 == 0) ? std::size_t(16) << (rng() % 9) : 0;
      void* p = align ? t.allocate_aligned(n, align) : (rng() % 5 == 0 ? t.allocate_zeroed(n) : t.allocate(n));
      ASSERT_NE(p, nullptr);
      if (align) {
        ASSERT_EQ(addr(p) % align, 0u);
      }
      const auto fill = static_cast<unsigned char>(rng());
      std::memset(p, fill, n);
      live.push_back({static_cast<unsigned char*>(p), n, fill});
    } else if (r < 92) {
      const std::size_t i = rng() % live.size();
      verify(live[i]);
      t.deallocate(live[i].p);  // often a cross-thread free
      live[i] = live.back();
      live.pop_back();
    } else {
      Live& l = live[rng() % live.size()];
      verify(l);
      const std::size_t n = 1 + pick_size(rng);  // realloc(p, 0) would free
      auto* q = static_cast<unsigned char*>(t.reallocate(l.p, n));
      ASSERT_NE(q, nullptr);
      for (std::size_t i = 0; i < std::min(n, l.n); ++i) ASSERT_EQ(q[i], l.fill);
      std::memset(q, l.fill, n);
      l.p = q;
      l.n = n;
    }
    if (rng() % 40 == 0) {
      heap.collector().step(1 + rng() % 300);
      const CheckReport rep = heap.check();
      ASSERT_TRUE(rep.ok) << "seed " << seed << " op " << op << ": " << rep.summary();
    }
    if (rng() % 200 == 0) threads[rng() % threads.size()]->flush();
  }
  for (const Live& l : live) {
    verify(l);
    threads[0]->deallocate(l.p);
  }
  threads.clear();
  heap.collector().run_until_idle();
  const CheckReport rep = heap.check();
  EXPECT_TRUE(rep.ok) << rep.summary();
  EXPECT_EQ(rep.in_use_chunks, 0u) << rep.summary();
  EXPECT_EQ(rep.large_mappings, rep.large_cached) << "every large mapping left is one kept for reuse";
  EXPECT_LE(rep.large_cached_bytes, heap.config().large_cache_bytes);
}

Config small_blocks() {
  Config c;
  c.block_bytes = 64u << 10;
  c.page_bytes = 16u << 10;
  c.queue_initial = 8;
  return c;
}

class RandomStepped : public ::testing::TestWithParam<std::tuple<std::string, std::uint64_t>> {};

Config policy(const std::string& name) {
  Config c;
  if (name == "small-blocks") return small_blocks();
  if (name == "fixed-queue") c.queue_adaptive = false;
  if (name == "no-oldest") c.oldest_first = false;
  if (name == "no-coalesce") c.coalesce = false;
  if (name == "free-to-cache") c.free_to_cache = true;
  if (name == "backpressure") c.backpressure = true;
  if (name == "purge-always-release") {
    c = small_blocks();
    c.purge_min_bytes = 8192;
    c.release_rule = ReleaseRule::Always;
  }
  if (name == "no-hand-off-no-cache") {
    c.hand_off = false;
    c.thread_cache_slots = 0;
  }
  return c;
}

TEST_P(RandomStepped, HeapStaysConsistent) {
  const auto& [name, seed] = GetParam();
  run_random(policy(name), seed, 4000);
}

INSTANTIATE_TEST_SUITE_P(Policies, RandomStepped,
                         ::testing::Combine(::testing::Values("adaptive", "fixed-queue", "no-oldest", "no-coalesce",
                                                              "free-to-cache", "backpressure", "small-blocks", "purge-always-release",
                                                              "no-hand-off-no-cache"),
                                            ::testing::Values(1, 2, 3)),
                         [](const auto& info) {
                           std::string n = std::get<0>(info.param) + "_" + std::to_string(std::get<1>(info.param));
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

TEST(RandomStepped, SameSeedSameDecisions) {
  // Addresses differ from run to run; what the core decides must not.
  auto run = [](std::uint64_t seed) {
    Heap heap{Config{}};
    ThreadHeap t{heap};
    std::mt19937_64 rng(seed);
    std::vector<void*> live;
    for (int op = 0; op < 5000; ++op) {
      if (rng() % 2 || live.empty()) live.push_back(t.allocate(pick_size(rng)));
      else {
        const auto i = rng() % live.size();
        t.deallocate(live[i]);
        live[i] = live.back();
        live.pop_back();
      }
      if (op % 97 == 0) heap.collector().step(200);
    }
    const HeapStats s = heap.stats();
    return std::make_tuple(s.threads, s.collector, s.mapped_bytes, s.queue_bytes);
  };
  EXPECT_EQ(run(7), run(7));
}

}  // namespace
}  // namespace allocsim::allocator::testing
