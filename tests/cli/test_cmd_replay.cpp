// `allocsim replay` end to end: the binary writes the JSON contract the
// sweep layer reads (docs/metrics.md) and a one-row CSV with the stable header.
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/config/run_config.hpp"
#include "sim/metrics/metrics_io.hpp"
#include "tests/common/paths.hpp"
#include "tests/common/launch.hpp"
#include "tests/traces/trace_support.hpp"

namespace allocsim::sim::testing {
namespace {

using traces::testing::TempDir;
using allocsim::testing::sample_path;
using json = nlohmann::json;

using allocsim::testing::RunResult;
using allocsim::testing::read_file;

// allocsim replay ARGS...
RunResult allocsim(std::vector<std::string> args) {
  args.insert(args.begin(), "replay");
  return allocsim::testing::run_allocsim(std::move(args));
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) out.emplace_back();
    else out.back() += c;
  }
  return out;
}

TEST(CmdReplay, WritesTheMetricsContract) {
  TempDir dir;
  const std::string trace = sample_path("ht_mt_prodcons.raw.zst");
  const RunResult r = allocsim({trace, "--policy", "fixed-queue", "--set", "sample_period_ns=500000", "-o",
                                dir.path("m.json"), "-o", dir.path("row.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  // With -o, stdout stays empty and the summary is a message on stderr; stderr
  // is not a terminal, so no progress line (carriage returns) either.
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(r.err.rfind("replayed ", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  const json j = json::parse(read_file(dir.path("m.json")));
  for (const char* key : {"schema", "run", "summary", "counters", "classes", "events", "timeline", "latency", "throughput", "host"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["schema"], "allocsim-metrics/2");
  const json& run = j["run"];
  EXPECT_EQ(run["trace"], trace);
  EXPECT_EQ(run["trace_hash"].get<std::string>().size(), std::string("xxh3-128:").size() + 32);
  EXPECT_EQ(run["policy"], "fixed-queue");
  EXPECT_EQ(run["config"]["queue_adaptive"], false);
  EXPECT_EQ(run["config"].size(), allocator::knobs().size());
  EXPECT_EQ(run["replay"].size(), replay_knobs().size());
  EXPECT_EQ(run["replay"]["sample_period_ns"], 500000);
  EXPECT_EQ(run["mode"], "virtual");
  EXPECT_EQ(run["backend"], "core");
  EXPECT_EQ(run["allocator"]["name"], "allocsim-core");
  const json& s = j["summary"];
  for (const char* key : {"peak_live_bytes", "final_live_bytes", "peak_footprint_bytes", "peak_rss_bytes", "events",
                          "fallback_allocations", "queue_grow_events", "queue_reclaim_events", "peak_queue_bytes",
                          "collector_work", "fragmentation", "check_ok"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_EQ(s["final_live_bytes"], 5376);
  EXPECT_EQ(s["peak_live_bytes"], 8261710);
  EXPECT_EQ(s["check_ok"], true);
  EXPECT_EQ(s["queue_grow_events"], 0);  // fixed-queue
  EXPECT_TRUE(j["host"]["wall_seconds"].is_number());
  EXPECT_TRUE(j["latency"].is_null());
  const json& t = j["timeline"];
  EXPECT_EQ(t["time_ns"].size(), t["live_bytes"].size());
  EXPECT_EQ(t["time_ns"].size(), t["queue_targets"].size());
  EXPECT_GT(t["time_ns"].size(), 10u);
  EXPECT_EQ(j["counters"]["ops"]["malloc"].get<std::uint64_t>() + j["counters"]["ops"]["calloc"].get<std::uint64_t>() +
                j["counters"]["ops"]["memalign"].get<std::uint64_t>() + j["counters"]["ops"]["realloc"].get<std::uint64_t>(),
            s["allocations"].get<std::uint64_t>());

  std::istringstream csv(read_file(dir.path("row.csv")));
  std::string header, row, extra;
  ASSERT_TRUE(std::getline(csv, header) && std::getline(csv, row));
  EXPECT_FALSE(std::getline(csv, extra));
  EXPECT_EQ(split_csv_line(header), csv_columns());
  const auto cells = split_csv_line(row);
  ASSERT_EQ(cells.size(), csv_columns().size());
  auto cell = [&](const std::string& name) {
    return cells[std::find(csv_columns().begin(), csv_columns().end(), name) - csv_columns().begin()];
  };
  EXPECT_EQ(cell("final_live_bytes"), "5376");
  EXPECT_EQ(cell("policy"), "fixed-queue");
  EXPECT_EQ(cell("latency_p50_ns"), "");  // virtual mode
}

TEST(CmdReplay, ThreadedModeReportsLatencyAndThroughput) {
  TempDir dir;
  const RunResult r = allocsim({sample_path("ht_edgecases.raw.zst"), "--mode", "threaded", "-o", dir.path("m.json")});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json j = json::parse(read_file(dir.path("m.json")));
  EXPECT_EQ(j["run"]["mode"], "threaded");
  for (const char* key : {"p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns"}) EXPECT_TRUE(j["latency"][key].is_number()) << key;
  EXPECT_GT(j["throughput"]["ops_per_second"].get<double>(), 0);
  EXPECT_EQ(j["summary"]["rss_source"], "measured");
  EXPECT_TRUE(j["summary"]["virtual_time_ns"].is_null());
  EXPECT_EQ(j["summary"]["check_ok"], true);
}

TEST(CmdReplay, SystemBackendNamesTheAllocator) {
  TempDir dir;
  const RunResult r = allocsim({sample_path("ht_edgecases.raw.zst"), "--backend", "system", "-o", dir.path("m.json")});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json j = json::parse(read_file(dir.path("m.json")));
  EXPECT_EQ(j["run"]["backend"], "system");
  EXPECT_TRUE(j["run"]["policy"].is_null());
  EXPECT_FALSE(j["run"]["allocator"]["name"].get<std::string>().empty());
  EXPECT_TRUE(j["summary"]["fallback_allocations"].is_null());
  EXPECT_EQ(allocsim({sample_path("ht_edgecases.raw.zst"), "--backend", "system", "--policy", "adaptive"}).exit_code, 2);
}

TEST(CmdReplay, PrintsTextOrJsonToStdoutWithoutOutputFile) {
  const std::string config = std::string(ALLOCSIM_SOURCE_DIR) + "/configs/policies/no-oldest.ini";
  const RunResult text = allocsim({sample_path("mtrace_edgecases.txt"), "--config", config});
  ASSERT_EQ(text.exit_code, 0) << text.describe();
  EXPECT_EQ(text.out.rfind("replayed ", 0), 0u) << text.out;  // the summary, as docs/cli.md says
  const RunResult r = allocsim({sample_path("mtrace_edgecases.txt"), "--config", config, "--to", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const json j = json::parse(r.out);
  EXPECT_EQ(j["summary"]["final_live_bytes"], 200);
  EXPECT_EQ(j["run"]["config"]["oldest_first"], false);
  EXPECT_TRUE(j["run"]["config_file"].get<std::string>().ends_with("no-oldest.ini"));
}

TEST(CmdReplay, HelpListsTheReplayKnobs) {
  const RunResult r = allocsim({"--help"});
  ASSERT_EQ(r.exit_code, 0);
  for (const auto& k : replay_knobs()) EXPECT_NE(r.out.find(std::string(k.name)), std::string::npos) << k.name;
}

}  // namespace
}  // namespace allocsim::sim::testing
