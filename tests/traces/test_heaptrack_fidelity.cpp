// Every heaptrack recording in traces/samples, read raw and interpreted,
// must reproduce the reference figures of traces/samples/README.md exactly.
// The figures come from tests/traces/fixtures/heaptrack_reference.tsv,
// copied by hand from the README, not computed by the code under test.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/traces/trace_support.hpp"
#include "traces/heaptrack_readers.hpp"
#include "traces/trace_stats.hpp"

namespace allocsim::traces {
namespace {

using testing::sample;

struct Reference {
  std::string name;
  std::uint64_t allocs, frees_interp, frees_raw, peak, leaked, temporary, peak_rss, runtime_ms;
};

std::vector<Reference> references() {
  std::ifstream in(std::string(ALLOCSIM_SOURCE_DIR) + "/tests/traces/fixtures/heaptrack_reference.tsv");
  std::vector<Reference> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Reference r;
    fields >> r.name >> r.allocs >> r.frees_interp >> r.frees_raw >> r.peak >> r.leaked >> r.temporary >> r.peak_rss >>
        r.runtime_ms;
    if (fields) rows.push_back(r);
  }
  return rows;
}

TraceStats stats_of(const std::string& path, const ReadOptions& options = {}) {
  auto reader = open_trace(path, options);
  return trace_stats(*reader);
}

class HeaptrackFidelity : public ::testing::TestWithParam<Reference> {};

TEST(HeaptrackReference, TableCoversEverySample) { EXPECT_EQ(references().size(), 4u); }

TEST_P(HeaptrackFidelity, InterpretedFileReproducesHeaptrackPrint) {
  const Reference& r = GetParam();
  const TraceStats s = stats_of(sample(r.name + ".zst"));
  EXPECT_EQ(s.info.format, Format::HeaptrackInterpreted);
  EXPECT_EQ(s.allocations, r.allocs);
  EXPECT_EQ(s.frees, r.frees_interp);
  EXPECT_EQ(s.peak_live_bytes, r.peak);
  EXPECT_EQ(s.final_live_bytes, r.leaked);
  EXPECT_EQ(s.temporary_allocations, r.temporary);
  EXPECT_EQ(s.temporary_rule, TemporaryRule::Heaptrack);
  EXPECT_EQ(s.info.peak_rss_bytes, r.peak_rss);
  EXPECT_EQ(s.info.runtime_ms, r.runtime_ms);
  EXPECT_EQ(s.unknown_frees, 0u);
  ASSERT_TRUE(s.heaptrack.has_value());
  EXPECT_EQ(s.heaptrack->allocations, r.allocs);
  EXPECT_EQ(s.heaptrack->deallocations, r.frees_interp);
  EXPECT_EQ(s.heaptrack->peak_bytes, static_cast<std::int64_t>(r.peak));
  EXPECT_EQ(s.heaptrack->leaked_bytes, static_cast<std::int64_t>(r.leaked));
}

TEST_P(HeaptrackFidelity, FifoFreeOrderKeepsByteAccounting) {
  const Reference& r = GetParam();
  ReadOptions fifo;
  fifo.interpreted_free = ReadOptions::FreeChoice::Fifo;
  const TraceStats s = stats_of(sample(r.name + ".zst"), fifo);
  EXPECT_EQ(s.allocations, r.allocs);
  EXPECT_EQ(s.peak_live_bytes, r.peak);
  EXPECT_EQ(s.final_live_bytes, r.leaked);
  EXPECT_EQ(s.temporary_allocations, r.temporary);
}

// The raw file has every `-` line, also those of pointers heaptrack never
// saw allocated (memalign, pvalloc): those are unknown frees, dropped, and
// the rest match the interpreted file exactly.
TEST_P(HeaptrackFidelity, RawFileGivesTheSameFigures) {
  const Reference& r = GetParam();
  const TraceStats s = stats_of(sample(r.name + ".raw.zst"));
  EXPECT_EQ(s.info.format, Format::HeaptrackRaw);
  EXPECT_EQ(s.allocations, r.allocs);
  EXPECT_EQ(s.frees, r.frees_interp);
  EXPECT_EQ(s.frees + s.anomalies.count(Anomaly::UnknownFree), r.frees_raw);
  EXPECT_EQ(s.unknown_frees, r.frees_raw - r.frees_interp);
  EXPECT_EQ(s.peak_live_bytes, r.peak);
  EXPECT_EQ(s.final_live_bytes, r.leaked);
  EXPECT_EQ(s.temporary_allocations, r.temporary);
  EXPECT_EQ(s.info.peak_rss_bytes, r.peak_rss);
  EXPECT_EQ(s.info.runtime_ms, r.runtime_ms);
  ASSERT_TRUE(s.heaptrack.has_value());
  EXPECT_EQ(s.heaptrack->deallocations, r.frees_interp);
}

// Both files come from one run: the same `+`/`-` sequence with the same
// sizes. (Which object a `-` ends may differ: the interpreted file only
// names a size/call-site class.)
TEST_P(HeaptrackFidelity, RawAndInterpretedStreamsAgreeOnOpsAndSizes) {
  const Reference& r = GetParam();
  const auto raw = testing::read_all(sample(r.name + ".raw.zst"));
  const auto interpreted = testing::read_all(sample(r.name + ".zst"));
  ASSERT_EQ(raw.size(), interpreted.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    ASSERT_EQ(raw[i].op, interpreted[i].op) << "event " << i;
    ASSERT_EQ(raw[i].size, interpreted[i].size) << "event " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Samples, HeaptrackFidelity, ::testing::ValuesIn(references()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace allocsim::traces
