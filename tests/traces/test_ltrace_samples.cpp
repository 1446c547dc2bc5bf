// Fidelity of the ltrace reader on the real recordings in traces/samples/:
// the figures of traces/samples/README.md ("ltrace / mtrace reference
// figures"), copied into tests/fixtures/text_trace_figures.json, must come
// out of the event stream and the anomaly report exactly.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/traces/text_trace_support.hpp"
#include "traces/ltrace_reader.hpp"

namespace allocsim::traces {
namespace {

using testing::fold;
using testing::read_sample;

nlohmann::json reference(const char* section) {
  std::ifstream in(std::string(ALLOCSIM_SOURCE_DIR) + "/tests/fixtures/text_trace_figures.json");
  EXPECT_TRUE(in) << "missing tests/fixtures/text_trace_figures.json";
  return nlohmann::json::parse(in).at(section);
}

TEST(LtraceSamples, ReproduceTheReferenceFigures) {
  const nlohmann::json table = reference("ltrace");
  ASSERT_EQ(table.size(), 4u);
  for (const auto& want : table) {
    const std::string file = want.at("file");
    SCOPED_TRACE(file);
    const testing::ReadResult r = read_sample(make_ltrace_reader, file);
    ASSERT_TRUE(r.calls);
    const LtraceCallCounts& calls = *r.calls;
    const testing::Fold f = fold(r.events);

    // A call is an event unless it failed, freed NULL or an unknown
    // pointer; realloc(p, 0) is a realloc call that became a Free event.
    const std::uint64_t alloc_calls = f.allocs + r.count(Anomaly::FailedAlloc) + calls.realloc_freed;
    const std::uint64_t free_calls = f.frees - calls.realloc_freed - r.count(Anomaly::LiveReuse) +
                                     r.count(Anomaly::NullFree) + r.count(Anomaly::UnknownFree);
    EXPECT_EQ(r.info.threads, want.at("threads").get<std::uint64_t>());
    EXPECT_EQ(alloc_calls, want.at("alloc_calls").get<std::uint64_t>());
    EXPECT_EQ(calls.alloc_calls(), alloc_calls);
    EXPECT_EQ(free_calls, want.at("free_calls").get<std::uint64_t>());
    EXPECT_EQ(calls.of(AllocFn::Free), free_calls);
    EXPECT_EQ(r.count(Anomaly::NullFree), want.at("null_frees").get<std::uint64_t>());
    EXPECT_EQ(f.cross_thread, want.at("cross_thread_frees").get<std::uint64_t>());
    EXPECT_EQ(r.count(Anomaly::UnknownFree), want.at("unknown_frees").get<std::uint64_t>());
    EXPECT_EQ(r.count(Anomaly::FailedAlloc), want.at("failed").get<std::uint64_t>());
    EXPECT_EQ(f.peak_live_bytes, want.at("peak_live_bytes").get<std::uint64_t>());
    EXPECT_EQ(f.live_bytes, want.at("final_live_bytes").get<std::uint64_t>());
    EXPECT_EQ(f.live_blocks, want.at("final_live_blocks").get<std::uint64_t>());
    if (want.contains("alloc_calls_by_function")) {
      for (const auto& [name, count] : want.at("alloc_calls_by_function").items()) {
        const std::optional<AllocFn> fn = alloc_fn_from_name(name);
        ASSERT_TRUE(fn) << name;
        EXPECT_EQ(calls.of(*fn), count.get<std::uint64_t>()) << name;
      }
    }
    // Recordings made with -f and a clock: every event is timed, in order.
    EXPECT_TRUE(r.info.has_time);
    for (std::size_t i = 1; i < r.events.size(); ++i) ASSERT_LE(r.events[i - 1].time, r.events[i].time) << i;
    EXPECT_EQ(r.count(Anomaly::UnmatchedResume), 0u);
    EXPECT_EQ(r.count(Anomaly::Unfinished), 0u);
  }
}

TEST(LtraceSamples, SymbolModeReportsNestedCallsAndTheStrayBreakpoint) {
  const testing::ReadResult r = read_sample(make_ltrace_reader, "lt_mt_prodcons_x.txt.gz");
  // 5 exit lines and 1 "unexpected breakpoint" line carry no event.
  EXPECT_EQ(r.count(Anomaly::IgnoredLine), 6u);
  const testing::ReadResult edge = read_sample(make_ltrace_reader, "lt_edgecases_x.txt");
  EXPECT_EQ(edge.count(Anomaly::NestedCall), 2u);  // inside realloc(NULL, 50) and realloc(p, 0)
}

TEST(LtraceSamples, PltModeDropsLibcLines) {
  const testing::ReadResult r = read_sample(make_ltrace_reader, "lt_edgecases_plt.txt");
  // 2 libc.so.6->realloc mislabels and 2 exit lines.
  EXPECT_EQ(r.count(Anomaly::IgnoredLine), 4u);
  EXPECT_EQ(r.count(Anomaly::NestedCall), 0u);
}

TEST(LtraceSamples, AreDetectedFromTheirFirstBytes) {
  for (const char* name : {"lt_mt_prodcons_x.txt.gz", "lt_sqlite3_plt.txt.gz", "lt_edgecases_x.txt", "lt_edgecases_plt.txt"}) {
    LineReader lines(open_input(testing::sample_path(name)));
    EXPECT_TRUE(looks_like_ltrace(lines.peek(64 * 1024))) << name;
  }
}

}  // namespace
}  // namespace allocsim::traces
