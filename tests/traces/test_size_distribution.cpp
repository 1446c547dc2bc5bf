// The size distributions the generators draw from: the built-in power
// law and the empirical sizes of a real trace.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/common/files.hpp"
#include "traces/event_writer.hpp"
#include "traces/generators.hpp"
#include "traces/size_distribution.hpp"

namespace allocsim::traces {
namespace {

namespace fs = std::filesystem;

fs::path temp_path(const std::string& name) {
  static const allocsim::testing::TempDir dir;
  return dir.path(name);
}

TEST(SizeDistribution, PowerLawStaysInRangeAndFavoursSmallSizes) {
  PowerLawSizes law;
  law.min_size = 16;
  law.max_size = 4096;
  const auto d = SizeDistribution::power_law(law);
  GenRandom rng(1);
  std::uint64_t small = 0, n = 100000;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t s = d.draw(rng);
    ASSERT_GE(s, 16u);
    ASSERT_LE(s, 4096u);
    small += s <= 32;
  }
  EXPECT_NEAR(static_cast<double>(small) / static_cast<double>(n), 0.40, 0.02);
}

TEST(SizeDistribution, PowerLawRejectsBadKnobs) {
  EXPECT_THROW(SizeDistribution::power_law({.min_size = 0}), std::invalid_argument);
  EXPECT_THROW(SizeDistribution::power_law({.min_size = 64, .max_size = 32}), std::invalid_argument);
  EXPECT_THROW(SizeDistribution::power_law({.decay_percent = 0}), std::invalid_argument);
  EXPECT_THROW(SizeDistribution::power_law({.decay_percent = 101}), std::invalid_argument);
  const auto one = SizeDistribution::power_law({.min_size = 100, .max_size = 100});
  GenRandom rng(2);
  EXPECT_EQ(one.draw(rng), 100u);
}

TEST(SizeDistribution, FromTraceDrawsOnlySizesOfTheSource) {
  // A source trace with three sizes in proportion 1 : 2 : 7.
  std::vector<Event> source;
  const std::uint64_t sizes[] = {24, 24, 100, 4000, 4000, 4000, 4000, 4000, 4000, 4000};
  for (std::uint64_t id = 0; id < std::size(sizes); ++id) {
    Event e;
    e.time = id;
    e.id = id;
    e.size = sizes[id];
    source.push_back(e);
    Event f;
    f.time = id;
    f.op = Op::Free;
    f.id = id;
    source.push_back(f);
  }
  const fs::path p = temp_path("sizes_source.csv");
  auto writer = create_writer(p.string());
  writer->write(source);
  writer->finish();

  const auto d = SizeDistribution::from_trace(p.string());
  GenRandom rng(3);
  std::map<std::uint64_t, std::uint64_t> seen;
  for (int i = 0; i < 10000; ++i) ++seen[d.draw(rng)];
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_NEAR(static_cast<double>(seen[24]) / 10000, 0.2, 0.02);
  EXPECT_NEAR(static_cast<double>(seen[100]) / 10000, 0.1, 0.02);
  EXPECT_NEAR(static_cast<double>(seen[4000]) / 10000, 0.7, 0.02);

  GeneratorOptions larson;
  larson.shape = Shape::Larson;
  larson.events = 5000;
  const auto events = generate_events(larson, d);
  for (const Event& e : events) {
    if (e.allocates()) {
      EXPECT_TRUE(e.size == 24 || e.size == 100 || e.size == 4000) << e.size;
    }
  }
}

TEST(SizeDistribution, FromTraceWithoutAllocationsIsAnError) {
  const fs::path p = temp_path("empty_source.csv");
  auto writer = create_writer(p.string());
  writer->finish();
  EXPECT_ANY_THROW(SizeDistribution::from_trace(p.string()));
  EXPECT_ANY_THROW(SizeDistribution::from_trace(temp_path("missing.csv").string()));
}

}  // namespace
}  // namespace allocsim::traces
