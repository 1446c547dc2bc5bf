#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <vector>

#include "allocator/config.hpp"
#include "allocator/policy.hpp"
#include "allocator/size_classes.hpp"

namespace allocsim::allocator {
namespace {

const std::string kPolicies = std::string(ALLOCSIM_SOURCE_DIR) + "/configs/policies";

TEST(Config, EveryKnobIsDeclaredOnceWithMeaningAndRoundTrips) {
  std::set<std::string_view> names;
  Config config;
  for (const auto& k : knobs()) {
    EXPECT_TRUE(names.insert(k.name).second) << k.name;
    EXPECT_FALSE(k.meaning.empty()) << k.name;
    EXPECT_EQ(get_knob(config, k.name), k.default_value);
    set_knob(config, k.name, k.default_value);
  }
  EXPECT_EQ(config, Config{});
}

TEST(Config, SetKnobParsesValuesAndSuffixes) {
  Config c;
  set_knob(c, "block_bytes", "2M");
  set_knob(c, "reclaim_fraction", "0.5");
  set_knob(c, "oldest_first", "false");
  set_knob(c, "release_rule", "literal");
  set_knob(c, "hash", "boost");
  EXPECT_EQ(c.block_bytes, 2u << 20);
  EXPECT_DOUBLE_EQ(c.reclaim_fraction, 0.5);
  EXPECT_FALSE(c.oldest_first);
  EXPECT_EQ(c.release_rule, ReleaseRule::Literal);
  EXPECT_EQ(c.hash, HashKind::Boost);
}

TEST(Config, BadKeysAndValuesNameTheKnob) {
  Config c;
  try {
    set_knob(c, "queue_intial", "3");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown knob 'queue_intial'"), std::string::npos);
  }
  for (auto [key, value] : {std::pair{"queue_initial", "-1"}, {"oldest_first", "maybe"}, {"block_bytes", "12x"},
                            {"reclaim_fraction", "abc"}, {"release_rule", "sometimes"}, {"block_bytes", "99999999999G"}}) {
    try {
      set_knob(c, key, value);
      FAIL() << key << "=" << value;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(value), std::string::npos) << e.what();
    }
  }
}

TEST(Config, ValidateRejectsOutOfRangeValues) {
  Config c;
  c.block_bytes = 3u << 20;  // not a power of two
  EXPECT_THROW(c.validate(), ConfigError);
  c = Config{};
  c.reclaim_fraction = 1.0;
  EXPECT_THROW(c.validate(), ConfigError);
  c = Config{};
  c.queue_initial = c.queue_max + 1;
  EXPECT_THROW(c.validate(), ConfigError);
}

TEST(Config, FileErrorsNameFileAndLine) {
  const auto path = std::filesystem::temp_directory_path() / "allocsim_bad_config.ini";
  {
    std::ofstream out(path);
    out << "# comment\nqueue_initial = 8\n\nno_such_knob = 1\n";
  }
  Config c;
  try {
    apply_config_file(c, path.string());
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string() + ":4:"), std::string::npos) << e.what();
  }
  {
    std::ofstream out(path);
    out << "queue_initial 8\n";
  }
  EXPECT_THROW(apply_config_file(c, path.string()), ConfigError);
  std::filesystem::remove(path);
  EXPECT_THROW(apply_config_file(c, "/nonexistent/allocsim.ini"), ConfigError);
}

TEST(Policies, EveryPresetLoadsAndTheNamedOnesExist) {
  const auto names = policy_names(kPolicies);
  for (const char* required : {"adaptive", "fixed-queue", "no-oldest"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
  for (const auto& n : names) EXPECT_NO_THROW(load_policy(n, kPolicies)) << n;
  EXPECT_EQ(load_policy("adaptive", kPolicies), Config{});
  EXPECT_FALSE(load_policy("fixed-queue", kPolicies).queue_adaptive);
  EXPECT_FALSE(load_policy("no-oldest", kPolicies).oldest_first);
  try {
    load_policy("lifo", kPolicies);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("adaptive"), std::string::npos) << "lists the known policies";
  }
}

TEST(SizeClasses, DefaultTableFollowsTheDesign) {
  const SizeClasses sc{Config{}};
  EXPECT_EQ(sc.size(0), 32u);
  EXPECT_EQ(sc.size(1), 48u);
  EXPECT_EQ(sc.largest(), 64u << 10);
  for (std::uint32_t c = 1; c < sc.count(); ++c) {
    EXPECT_GT(sc.size(c), sc.size(c - 1));
    EXPECT_EQ(sc.size(c) % 16, 0u);
    if (sc.size(c) > 128) {
      EXPECT_LE(sc.size(c) - sc.size(c - 1), sc.size(c - 1) / 4 + 16);
    }
  }
}

// Whatever alignment malloc gives the tables' buffer, they start half a
// page in, never at the page offset of a thread's class-0 cache count
// (4K aliasing on the fast path, docs/bench-core.md).
TEST(SizeClasses, TablesStartAtAFixedPageOffset) {
  std::vector<std::unique_ptr<SizeClasses>> held;
  std::vector<std::vector<char>> spacers;  // so the buffers land at different offsets
  for (std::size_t i = 0; i < 8; ++i) {
    spacers.emplace_back(1 + 700 * i);
    held.push_back(std::make_unique<SizeClasses>(Config{}));
    const SizeClasses& sc = *held.back();
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(sc.ceil_table()) % 4096, 2048u);
    EXPECT_EQ(sc.floor_table() - sc.ceil_table(), static_cast<std::ptrdiff_t>(sc.largest() / kUnit + 1));
  }
}

TEST(SizeClasses, CeilAndFloorAreConsistentForEverySize) {
  const SizeClasses sc{Config{}};
  for (std::uint64_t chunk = kMinChunk; chunk <= sc.largest(); chunk += kUnit) {
    const auto ceil = sc.ceil_class(chunk);
    EXPECT_GE(sc.size(ceil), chunk);
    if (ceil > 0) {
      EXPECT_LT(sc.size(ceil - 1), chunk);
    }
    const auto floor = sc.floor_class(chunk);
    EXPECT_LE(sc.size(floor), chunk);
    if (floor + 1 < sc.count()) {
      EXPECT_GT(sc.size(floor + 1), chunk);
    }
  }
  EXPECT_EQ(sc.floor_class(sc.largest() + 16), sc.span_class());
  EXPECT_EQ(SizeClasses::chunk_for(0), kMinChunk);
  EXPECT_EQ(SizeClasses::chunk_for(24), 32u);
  EXPECT_EQ(SizeClasses::chunk_for(25), 48u);
  EXPECT_EQ(SizeClasses::chunk_for(SIZE_MAX), 0u);
}

}  // namespace
}  // namespace allocsim::allocator
