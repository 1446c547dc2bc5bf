// The synthetic generators: reproducibility, validity of every shape, and
// the property that makes each shape what it claims to be.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/common/files.hpp"
#include "traces/event_reader.hpp"
#include "traces/event_writer.hpp"
#include "traces/generators.hpp"

namespace allocsim::traces {
namespace {

namespace fs = std::filesystem;

GeneratorOptions options_for(Shape shape, std::uint64_t events = 20000, std::uint64_t seed = 7) {
  GeneratorOptions o;
  o.shape = shape;
  o.events = events;
  o.seed = seed;
  return o;
}

std::vector<Event> make(const GeneratorOptions& o) { return generate_events(o, SizeDistribution::power_law()); }

// Checks every invariant a generated trace promises; returns the first
// violation, or "" when the trace is valid.
std::string violation(const std::vector<Event>& events, std::uint64_t expected_count) {
  if (events.size() != expected_count) return "event count " + std::to_string(events.size());
  std::vector<bool> live;
  std::uint32_t threads = 0;
  std::uint64_t last_time = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    const std::string at = " at event " + std::to_string(i);
    if (e.time == kNoTime || e.time < last_time) return "time goes back" + at;
    if (i == 0 && e.time != 0) return "first time is not 0";
    last_time = e.time;
    if (e.thread > threads) return "thread not numbered in order of first appearance" + at;
    threads = std::max(threads, e.thread + 1);
    if (const std::uint64_t d = e.dying(); d != kNoObject) {
      if (d >= live.size() || !live[d]) return "frees an object that is not live" + at;
      live[d] = false;
    }
    if (e.allocates()) {
      if (e.id != live.size()) return "id not dense in birth order" + at;
      live.push_back(true);
    }
  }
  return "";
}

struct Census {
  std::map<std::uint64_t, std::uint32_t> born_on;  // id -> thread
  std::set<std::uint32_t> allocating, freeing;
  std::uint64_t frees = 0, cross_thread_frees = 0;
};

Census census(const std::vector<Event>& events) {
  Census c;
  for (const Event& e : events) {
    if (const std::uint64_t d = e.dying(); d != kNoObject) {
      ++c.frees;
      c.freeing.insert(e.thread);
      if (c.born_on.at(d) != e.thread) ++c.cross_thread_frees;
    }
    if (e.allocates()) {
      c.allocating.insert(e.thread);
      c.born_on[e.id] = e.thread;
    }
  }
  return c;
}

// Live bytes after each event.
std::vector<std::int64_t> live_bytes(const std::vector<Event>& events) {
  std::vector<std::uint64_t> size_of;
  std::vector<std::int64_t> series;
  std::int64_t live = 0;
  for (const Event& e : events) {
    if (const std::uint64_t d = e.dying(); d != kNoObject) live -= static_cast<std::int64_t>(size_of[d]);
    if (e.allocates()) {
      size_of.push_back(e.size);
      live += static_cast<std::int64_t>(e.size);
    }
    series.push_back(live);
  }
  return series;
}

std::string slurp(const fs::path& p) { return allocsim::testing::read_file(p.string()); }

// One scratch directory per test process, removed when the process ends.
fs::path temp_path(const std::string& name) {
  static const allocsim::testing::TempDir dir;
  return dir.path(name);
}

class EveryShape : public ::testing::TestWithParam<Shape> {};

TEST_P(EveryShape, SameSeedSameEventsOtherSeedOtherEvents) {
  const auto a = make(options_for(GetParam(), 20000, 11));
  const auto b = make(options_for(GetParam(), 20000, 11));
  const auto c = make(options_for(GetParam(), 20000, 12));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST_P(EveryShape, TraceIsValidWithEveryOpMix) {
  GeneratorOptions o = options_for(GetParam(), 30000);
  EXPECT_EQ(violation(make(o), o.events), "");
  o.calloc_percent = 20;
  o.memalign_percent = 20;
  o.realloc_percent = 30;
  o.threads = 7;
  const auto events = make(o);
  EXPECT_EQ(violation(events, o.events), "");
  const auto has = [&](Op op) { return std::any_of(events.begin(), events.end(), [&](const Event& e) { return e.op == op; }); };
  EXPECT_TRUE(has(Op::Calloc));
  EXPECT_TRUE(has(Op::Memalign));
  for (const Event& e : events) {
    if (e.op == Op::Memalign) {
      EXPECT_TRUE(e.align >= 32 && (e.align & (e.align - 1)) == 0) << e.align;
    }
  }
}

TEST_P(EveryShape, TinyBudgetsStayValid) {
  for (std::uint64_t n : {0, 1, 2, 3, 17}) {
    GeneratorOptions o = options_for(GetParam(), n);
    o.slots = 2;
    o.burst_size = 3;
    o.quiet_events = 2;
    EXPECT_EQ(violation(make(o), n), "") << n << " events";
  }
}

TEST_P(EveryShape, WriterBytesAreReproducible) {
  for (const char* name : {"gen.native", "gen.csv"}) {
    const fs::path p1 = temp_path(std::string("a_") + name), p2 = temp_path(std::string("b_") + name),
                   p3 = temp_path(std::string("c_") + name);
    const auto sizes = SizeDistribution::power_law();
    GeneratorOptions o = options_for(GetParam(), 5000, 3);
    generate_to(o, sizes, *create_writer(p1.string()));
    generate_to(o, sizes, *create_writer(p2.string()));
    o.seed = 4;
    generate_to(o, sizes, *create_writer(p3.string()));
    const std::string a = slurp(p1);
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, slurp(p2)) << name;
    EXPECT_NE(a, slurp(p3)) << name;
  }
}

TEST_P(EveryShape, NativeFileReadsBackAsTheGeneratedEvents) {
  const fs::path p = temp_path("roundtrip.native");
  const GeneratorOptions o = options_for(GetParam(), 5000, 5);
  const auto sizes = SizeDistribution::power_law();
  generate_to(o, sizes, *create_writer(p.string(), Format::Native));
  auto reader = open_trace(p.string());
  std::vector<Event> back(o.events + 1);
  std::size_t n = 0;
  while (const std::size_t k = reader->read(std::span(back).subspan(n))) n += k;
  back.resize(n);
  EXPECT_EQ(back, make(o));
}

INSTANTIATE_TEST_SUITE_P(Generators, EveryShape, ::testing::ValuesIn(kShapes),
                         [](const auto& info) { return std::string(shape_name(info.param)); });

TEST(Generators, SteadyHoversAroundTheLiveTargetWithOwnFrees) {
  GeneratorOptions o = options_for(Shape::Steady, 60000);
  o.live = 2000;
  const auto events = make(o);
  const Census c = census(events);
  EXPECT_EQ(c.cross_thread_frees, 0u);
  const std::uint64_t allocations = c.born_on.size();
  const std::uint64_t live = allocations - c.frees;
  EXPECT_GT(live, 1600u);
  EXPECT_LT(live, 2400u);
  EXPECT_GT(c.frees, 20000u);  // churn, not just growth
}

TEST(Generators, ProdConsFreesOnlyOnConsumersObjectsOfProducers) {
  GeneratorOptions o = options_for(Shape::ProdCons, 40000);
  o.threads = 5;
  o.producers = 3;
  const auto events = make(o);
  const Census c = census(events);
  EXPECT_EQ(c.allocating.size(), 3u);
  EXPECT_EQ(c.freeing.size(), 2u);
  for (std::uint32_t t : c.freeing) EXPECT_EQ(c.allocating.count(t), 0u) << "thread " << t << " both allocates and frees";
  EXPECT_GT(c.frees, 15000u);
  EXPECT_EQ(c.cross_thread_frees, c.frees);
}

TEST(Generators, ProdConsKeepsConsumerQueuesBounded) {
  GeneratorOptions o = options_for(Shape::ProdCons, 40000);
  o.threads = 4;
  o.queue_depth = 50;
  const auto events = make(o);
  std::int64_t in_flight = 0, most = 0;
  for (const Event& e : events) {
    in_flight += e.op == Op::Free ? -1 : 1;
    most = std::max(most, in_flight);
  }
  EXPECT_LE(most, 2 * 50);  // 2 consumers x depth 50
  EXPECT_GT(most, 50);
}

TEST(Generators, BurstyEventRateVariesBetweenQuietAndBurst) {
  GeneratorOptions o = options_for(Shape::Bursty, 100000);
  o.quiet_factor = 50;
  const auto events = make(o);
  // Events per window of 200 nominal gaps: bursts fill windows, quiet
  // periods leave them nearly empty.
  const std::uint64_t window = 200 * (1000000000 / o.rate);
  std::map<std::uint64_t, std::uint64_t> per_window;
  for (const Event& e : events) ++per_window[e.time / window];
  const std::uint64_t last = events.back().time / window;
  std::vector<std::uint64_t> counts;
  for (std::uint64_t w = 0; w < last; ++w) counts.push_back(per_window.count(w) ? per_window[w] : 0);
  std::sort(counts.begin(), counts.end());
  const std::uint64_t median = counts[counts.size() / 2], busiest = counts.back();
  EXPECT_GE(busiest, 150u);
  EXPECT_LE(median * 10, busiest) << "median " << median << " busiest " << busiest;
}

TEST(Generators, BurstyBurstsAreFreedSoonAfter) {
  GeneratorOptions o = options_for(Shape::Bursty, 100000);
  o.live = 500;
  const auto series = live_bytes(make(o));
  const std::int64_t peak = *std::max_element(series.begin(), series.end());
  // Between bursts the live set falls back to the background.
  const std::int64_t trough = *std::min_element(series.begin() + series.size() / 2, series.end());
  EXPECT_LT(trough * 2, peak);
}

TEST(Generators, PhasedLiveBytesRiseThenFall) {
  GeneratorOptions o = options_for(Shape::Phased, 90000);
  const auto series = live_bytes(make(o));
  const std::size_t n = series.size();
  const auto peak_at = static_cast<std::size_t>(std::max_element(series.begin(), series.end()) - series.begin());
  const std::int64_t peak = series[peak_at];
  EXPECT_GT(peak_at, n * 25 / 100);
  EXPECT_LT(peak_at, n * 75 / 100);
  EXPECT_LT(series[n / 10] * 2, peak);          // still ramping up early on
  EXPECT_GT(series[n * 50 / 100] * 2, peak);    // plateau holds the level
  EXPECT_LT(series.back() * 4, peak);           // ramp-down releases most of it
}

TEST(Generators, PhasedCyclesRepeatTheRise) {
  GeneratorOptions o = options_for(Shape::Phased, 90000);
  o.cycles = 3;
  const auto series = live_bytes(make(o));
  const std::size_t third = series.size() / 3;
  for (std::size_t c = 0; c < 3; ++c) {
    const auto begin = series.begin() + static_cast<std::ptrdiff_t>(c * third);
    const std::int64_t peak = *std::max_element(begin, begin + static_cast<std::ptrdiff_t>(third));
    EXPECT_LT(*(begin + static_cast<std::ptrdiff_t>(third) - 1) * 4, peak) << "cycle " << c;
  }
}

TEST(Generators, LarsonHandsObjectsBetweenThreadsAndKeepsSlotsFull) {
  GeneratorOptions o = options_for(Shape::Larson, 50000);
  o.threads = 4;
  o.slots = 500;
  o.handoff = 1000;
  const auto events = make(o);
  const Census c = census(events);
  EXPECT_GT(c.cross_thread_frees, 1000u);
  EXPECT_LT(c.cross_thread_frees, c.frees);
  const std::uint64_t live = c.born_on.size() - c.frees;
  EXPECT_GE(live, 4u * 500 - 1);  // the budget may end between a free and its replacement
  EXPECT_LE(live, 4u * 500);
}

TEST(Generators, LarsonWithoutHandoffHasNoCrossThreadFrees) {
  GeneratorOptions o = options_for(Shape::Larson, 20000);
  o.handoff = 1u << 30;
  EXPECT_EQ(census(make(o)).cross_thread_frees, 0u);
}

TEST(Generators, TimestampsFollowTheRate) {
  GeneratorOptions o = options_for(Shape::Steady, 50000);
  o.rate = 1000000;  // 1000 ns mean gap
  const auto events = make(o);
  const double mean_gap = static_cast<double>(events.back().time) / static_cast<double>(events.size() - 1);
  EXPECT_NEAR(mean_gap, 1000.0, 20.0);
}

TEST(Generators, RejectsImpossibleKnobs) {
  GeneratorOptions o = options_for(Shape::ProdCons);
  o.threads = 1;
  EXPECT_THROW(validate(o), std::invalid_argument);
  o = options_for(Shape::Phased);
  o.phase_up = 50;
  EXPECT_THROW(validate(o), std::invalid_argument);
  o = options_for(Shape::Steady);
  o.calloc_percent = 60;
  o.memalign_percent = 60;
  EXPECT_THROW(validate(o), std::invalid_argument);
  o = options_for(Shape::Steady);
  o.rate = 0;
  EXPECT_THROW(validate(o), std::invalid_argument);
  EXPECT_THROW(parse_shape("stedy"), std::invalid_argument);
  for (Shape s : kShapes) EXPECT_EQ(parse_shape(shape_name(s)), s);
}

}  // namespace
}  // namespace allocsim::traces
