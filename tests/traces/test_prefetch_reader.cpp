// read_ahead(): the same events in the same order as the reader it wraps,
// the same whole-stream figures at the end, errors where they happened,
// and a consumer that stops early never hangs.
#include <gtest/gtest.h>

#include "tests/traces/trace_support.hpp"
#include "traces/prefetch_reader.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces::testing {
namespace {

// Counts up to `total` events, then either ends or throws.
class CountingReader final : public EventReader {
 public:
  CountingReader(std::uint64_t total, bool fail_at_end) : total_(total), fail_(fail_at_end) { info_.path = "counting"; }
  std::size_t read(std::span<Event> out) override {
    std::size_t n = 0;
    for (; n < out.size() && next_ < total_; ++n, ++next_) {
      out[n] = Event{};
      out[n].id = next_;
      out[n].size = next_ % 997;
    }
    if (n == 0 && fail_) throw TraceError::at_line("counting", total_ + 1, "broken line");
    info_.threads = next_ ? 1 : 0;
    return n;
  }
  const TraceInfo& info() const override { return info_; }
  const AnomalyReport& anomalies() const override { return anomalies_; }

 private:
  std::uint64_t total_, next_ = 0;
  bool fail_;
  TraceInfo info_;
  AnomalyReport anomalies_;
};

TEST(ReadAhead, SameEventsAndFiguresAsTheWrappedReader) {
  const std::string path = sample("ht_python_json.zst");
  auto direct = open_trace(path);
  const std::vector<Event> expected = drain(*direct);
  auto ahead = read_ahead(open_trace(path));
  EXPECT_EQ(ahead->info().path, path) << "known from the start";
  for (const std::size_t batch : {1u, 777u, 100000u}) {
    auto r = read_ahead(open_trace(path));
    ASSERT_EQ(drain(*r, batch), expected) << "batch " << batch;
    EXPECT_EQ(r->info().threads, direct->info().threads);
    EXPECT_EQ(r->info().peak_rss_bytes, direct->info().peak_rss_bytes);
    EXPECT_EQ(r->anomalies().counts, direct->anomalies().counts);
  }
}

TEST(ReadAhead, AnErrorComesAfterTheEventsBeforeIt) {
  auto r = read_ahead(std::make_unique<CountingReader>(10000, true));
  std::vector<Event> batch(3000);
  std::uint64_t seen = 0;
  try {
    while (const std::size_t n = r->read(batch)) {
      for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(batch[i].id, seen + i);
      seen += n;
    }
    FAIL() << "no error";
  } catch (const TraceError& e) {
    EXPECT_NE(std::string(e.what()).find("broken line"), std::string::npos) << e.what();
  }
  EXPECT_EQ(seen, 10000u);
}

TEST(ReadAhead, StoppingEarlyDoesNotHang) {
  auto r = read_ahead(std::make_unique<CountingReader>(1'000'000, false));
  std::vector<Event> batch(10);
  ASSERT_EQ(r->read(batch), 10u);
  r.reset();  // the reading thread is blocked on a full pipeline: it must stop
  auto empty = read_ahead(std::make_unique<CountingReader>(0, false));
  EXPECT_EQ(empty->read(batch), 0u);
  EXPECT_EQ(empty->read(batch), 0u) << "the end stays the end";
}

}  // namespace
}  // namespace allocsim::traces::testing
