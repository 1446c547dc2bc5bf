#include "sim/calibrate/calibrate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <ostream>
#include <thread>

#include "allocator/clock.hpp"
#include "allocator/collector.hpp"
#include "allocator/heap.hpp"
#include "allocator/merge_set.hpp"
#include "allocator/thread_heap.hpp"
#include "sim/calibrate/cost_fit.hpp"

namespace allocsim::sim {
namespace {

namespace al = allocsim::allocator;
using Clock = std::chrono::steady_clock;

double ns_since(Clock::time_point t0) { return std::chrono::duration<double, std::nano>(Clock::now() - t0).count(); }

Spread spread_of(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

// A stepped heap on a clock that stands still (no interval ends, so no
// reclaim happens by surprise), one thread, and every step it is made to
// take timed: steps of one scenario and budget are added up into one
// sample, so that the noise of single steps (an interrupt, a cache miss
// more or less) averages out.
class Bench {
 public:
  Bench(al::Config config, std::vector<CostSample>& samples) : samples_(samples) {
    config.prefill = al::Prefill::None;
    heap_ = std::make_unique<al::Heap>(config, al::HeapOptions{.mode = al::CollectorMode::Stepped, .clock = &clock_});
    thread_ = std::make_unique<al::ThreadHeap>(*heap_);
  }
  ~Bench() {
    thread_.reset();
    heap_.reset();
  }
  al::ThreadHeap& thread() { return *thread_; }
  al::Heap& heap() { return *heap_; }

  // Steps of `budget` units until a pass ends with nothing left to do.
  // Scenarios run at a small and a large budget, so that a step's fixed
  // cost and its per-unit costs can be told apart.
  void step_until_idle(std::uint64_t budget) {
    CostSample sum{};
    for (int i = 0; i < 1 << 20; ++i) {
      thread_->flush();  // publishes what waits behind a bin the collector has taken
      const auto t0 = Clock::now();
      const al::StepResult r = heap_->collector().step(budget, /*may_sleep=*/false);
      sum.ns += ns_since(t0);
      const auto terms = cost_terms(r);
      for (std::size_t t = 0; t < kCostTerms; ++t) sum.terms[t] += terms[t];
      if (r.idle) break;
    }
    samples_.push_back(sum);
  }

 private:
  al::ManualClock clock_;
  std::vector<CostSample>& samples_;
  std::unique_ptr<al::Heap> heap_;
  std::unique_ptr<al::ThreadHeap> thread_;
};

// Garbage whose chunks have no free neighbour: each costs two failed
// lookups and an insert. Then the class's queue wants all of it back.
void drain_isolated_then_refill(const CalibrationOptions& o, std::uint64_t budget, std::vector<CostSample>& samples) {
  al::Config config = o.config;
  config.hand_off = false;  // every chunk goes through its merge set
  config.queue_initial = std::min<std::uint64_t>(config.queue_max, 4096);
  config.queue_max_bytes = 0;
  Bench b(config, samples);
  std::vector<void*> objects;
  for (std::uint64_t i = 0; i < 2 * o.chunks; ++i) objects.push_back(b.thread().allocate(40));
  for (std::size_t i = 0; i < objects.size(); i += 2) b.thread().deallocate(objects[i]);
  b.step_until_idle(budget);
  for (std::size_t i = 1; i < objects.size(); i += 2) b.thread().deallocate(objects[i]);
  b.step_until_idle(budget);
}

// Garbage that coalesces: runs of neighbours freed together.
void drain_merging(const CalibrationOptions& o, std::uint64_t budget, std::vector<CostSample>& samples) {
  Bench b(o.config, samples);
  std::vector<void*> objects;
  for (std::uint64_t i = 0; i < o.chunks; ++i) objects.push_back(b.thread().allocate(24 + 16 * (i % 7)));
  for (void* p : objects) b.thread().deallocate(p);
  b.step_until_idle(budget);
}

// Queues the collector fills by mapping blocks and cutting them up, and
// large chunks whose pages it gives back when they are freed.
void map_and_release(const CalibrationOptions& o, std::uint64_t budget, std::vector<CostSample>& samples) {
  al::Config config = o.config;
  config.queue_initial = 1024;
  config.queue_max_bytes = 0;
  config.release_rule = al::ReleaseRule::Always;
  Bench b(config, samples);
  std::vector<void*> objects;
  for (const std::uint64_t size : {1000, 3000, 7000}) objects.push_back(b.thread().allocate(size));
  b.step_until_idle(budget);
  for (std::uint64_t i = 0; i < o.chunks / 16; ++i) objects.push_back(b.thread().allocate(20000 + 16 * (i % 64)));
  for (void* p : objects) b.thread().deallocate(p);
  b.step_until_idle(budget);
}

// A program's worth of classes with demand and full queues: passes with
// nothing to do.
void idle_passes(const CalibrationOptions& o, std::uint64_t budget, std::vector<CostSample>& samples) {
  std::vector<CostSample> setup;
  Bench b(o.config, setup);
  std::vector<void*> objects;
  for (std::uint32_t c = 0; c < std::min<std::uint32_t>(30, b.heap().classes().count()); ++c)
    objects.push_back(b.thread().allocate(b.heap().classes().size(c) - al::kHeaderBytes));
  b.step_until_idle(budget);
  CostSample sum{};
  for (int i = 0; i < 200; ++i) {
    const auto t0 = Clock::now();
    const al::StepResult r = b.heap().collector().step(budget, /*may_sleep=*/false);
    sum.ns += ns_since(t0);
    const auto terms = cost_terms(r);
    for (std::size_t t = 0; t < kCostTerms; ++t) sum.terms[t] += terms[t];
  }
  samples.push_back(sum);
}

// Merge-set operations alone, on chunks laid out as in a block.
SetOpCosts set_ops(std::uint64_t n, al::HashKind hash) {
  constexpr std::uint64_t kChunk = 48;
  std::vector<std::uint64_t> memory((n * 2 + 1) * kChunk / sizeof(std::uint64_t) + 2);
  char* base = reinterpret_cast<char*>((reinterpret_cast<std::uintptr_t>(memory.data()) + 15) & ~std::uintptr_t{15});
  std::vector<al::ChunkHeader*> in, out;
  for (std::uint64_t i = 0; i < 2 * n; ++i) {
    auto* h = al::ChunkHeader::at(base + i * kChunk);
    h->set(i ? kChunk / al::kUnit : 0, kChunk / al::kUnit);
    (i % 2 ? out : in).push_back(h);
  }
  al::MergeCounters counters;
  al::MergeSet set(hash, counters);
  SetOpCosts c{.set_size = n};
  auto t0 = Clock::now();
  for (al::ChunkHeader* h : in) set.insert(h);
  c.insert_ns = ns_since(t0) / double(n);
  std::uint64_t found = 0;
  t0 = Clock::now();
  for (std::uint64_t i = 0; i < n; ++i) found += set.contains(in[(i * 7919) % n]) + set.contains(out[(i * 104729) % n]);
  c.lookup_ns = ns_since(t0) / double(2 * n);
  // Half: erasing all would shrink the table, a rehash a refill seldom pays.
  t0 = Clock::now();
  for (std::uint64_t i = 0; i < n / 2; ++i) set.erase(in[(i * 7919) % n]);
  c.erase_ns = ns_since(t0) / double(n / 2);
  if (found != n) c.lookup_ns = -1;  // cannot happen: every chunk of `in` is found, none of `out`
  return c;
}

// From the free that wakes a sleeping threaded collector to its next step.
std::vector<double> wake_latencies(const CalibrationOptions& o) {
  al::Config config = o.config;
  config.collector_nap_us = 0;  // the nap only delays the sleep: the wake-up is what is measured
  al::Heap heap(config, {.mode = al::CollectorMode::Threaded});
  std::vector<double> out;
  {
    al::ThreadHeap t(heap);
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    for (int i = 0; i < o.wake_samples && Clock::now() < deadline; ++i) {
      void* p = t.allocate(64);
      while (!heap.collector().sleeping() && Clock::now() < deadline) std::this_thread::yield();
      const std::uint64_t steps = heap.collector().counts().steps;
      const auto t0 = Clock::now();
      t.deallocate(p);
      while (heap.collector().counts().steps == steps && Clock::now() < deadline) {
      }
      out.push_back(ns_since(t0));
    }
  }
  heap.collector().stop_thread();
  return out;
}

}  // namespace

Calibration calibrate(const CalibrationOptions& o) {
  const auto start = Clock::now();
  Calibration out;
  // A drained chunk costs its hash operations and the rest of its handling
  // in a fixed proportion, so the fit alone cannot split the two: the
  // hash-operation cost is measured on a merge set alone, at the size the
  // scenarios' sets reach, and only the rest is fitted.
  std::vector<double> hash_costs;
  std::vector<CostCoefficients> fits;
  std::vector<CostSample> all;
  for (int round = 0; round < o.rounds; ++round) {
    const SetOpCosts ops = set_ops(o.chunks, o.config.hash);
    hash_costs.push_back((ops.lookup_ns + ops.insert_ns + ops.erase_ns) / 3);
    KnownCosts known{};
    known[3] = hash_costs.back();
    std::vector<CostSample> samples;
    for (const std::uint64_t budget : {16, 128, 2048})
      for (auto scenario : {drain_isolated_then_refill, drain_merging, map_and_release, idle_passes}) scenario(o, budget, samples);
    fits.push_back(fit_costs(samples, known));
    all.insert(all.end(), samples.begin(), samples.end());
  }
  for (const std::uint64_t n : {o.chunks / 16, o.chunks, o.chunks * 8}) out.set_ops.push_back(set_ops(n, o.config.hash));
  auto term = [&](std::size_t i) {
    std::vector<double> v;
    for (const auto& f : fits) v.push_back(f[i]);
    return spread_of(v);
  };
  out.step = term(0), out.pass = term(1), out.chunk = term(2), out.hash_op = term(3);
  out.sort = term(4), out.map = term(5), out.purge = term(6);
  Spread* terms[kCostTerms] = {&out.step, &out.pass, &out.chunk, &out.hash_op, &out.sort, &out.map, &out.purge};
  for (std::size_t i = 0; i < kCostTerms; ++i) {
    double count = 0;
    for (const CostSample& x : all) count += x.terms[i];
    if (i != 3 && count == 0) terms[i]->measured = false;  // the hash cost is measured apart
  }
  KnownCosts known{};
  known[3] = out.hash_op.median;
  out.fit_error = fit_error(fit_costs(all, known), all);
  out.steps = all.size();
  out.wake_latency = spread_of(wake_latencies(o));
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

namespace {

struct Knob {
  const char* name;
  const Spread Calibration::*figure;
  const char* what;
};
constexpr Knob kKnobs[] = {
    {"step_cost_ns", &Calibration::step, "per collector step"},
    {"pass_cost_ns", &Calibration::pass, "per completed pass (a visit of every class with demand)"},
    {"chunk_cost_ns", &Calibration::chunk, "per chunk drained, queued or reclaimed"},
    {"hash_op_cost_ns", &Calibration::hash_op, "per merge-set lookup, insert or erase"},
    {"sort_cost_ns", &Calibration::sort, "per chunk ordered by block age"},
    {"map_cost_ns", &Calibration::map, "per block the collector maps"},
    {"purge_cost_ns", &Calibration::purge, "per madvise that gives free pages back"},
    {"wake_latency_ns", &Calibration::wake_latency, "from the free that wakes a sleeping collector to its next step"},
};

std::uint64_t rounded(double ns) { return ns < 1 ? 1 : static_cast<std::uint64_t>(std::llround(ns)); }

}  // namespace

void write_calibration_ini(std::ostream& out, const Calibration& c, const std::string& host) {
  out << "# allocsim calibrate: the virtual collector's costs on " << host << "\n"
      << "# (median of the rounds; min-max in the comment). Use with --config.\n";
  for (const Knob& k : kKnobs) {
    const Spread& s = c.*k.figure;
    if (!s.measured) {
      out << "# " << k.name << ": not exercised by any step here; the default stays\n";
      continue;
    }
    out << k.name << " = " << rounded(s.median) << "  # " << k.what << "; " << s.min << "-" << s.max << "\n";
  }
}

void print_calibration(std::ostream& out, const Calibration& c) {
  out << "collector step costs (ns, median [min-max] over rounds), fitted to "
      << c.steps << " real steps; the fit is off by " << std::lround(c.fit_error * 100) << "% of their total time\n";
  for (const Knob& k : kKnobs) {
    const Spread& s = c.*k.figure;
    if (!s.measured) {
      out << "  " << k.name << " not exercised (no step did it)  " << k.what << "\n";
      continue;
    }
    out << "  " << k.name << " " << rounded(s.median) << " [" << rounded(s.min) << "-" << rounded(s.max) << "]  " << k.what
        << "\n";
  }
  out << "merge-set operations alone (ns):\n";
  for (const SetOpCosts& s : c.set_ops)
    out << "  " << s.set_size << " chunks: lookup " << s.lookup_ns << ", insert " << s.insert_ns << ", erase " << s.erase_ns
        << "\n";
  out << "calibration took " << c.seconds << " s\n";
}

}  // namespace allocsim::sim
