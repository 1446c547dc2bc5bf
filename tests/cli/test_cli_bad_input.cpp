// Bad input and bad output places, command by command, run as a user would:
// exit code 2 (docs/cli.md), a message naming the file (and line), and no
// work done or file written first. Sweeps and INI files:
// test_cli_sweep_bad_input.cpp; plot.py: test_plot_bad_input.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/common/files.hpp"
#include "tests/common/launch.hpp"
#include "tests/common/paths.hpp"

namespace allocsim::testing {
namespace {

namespace fs = std::filesystem;

bool says(const RunResult& r, const std::string& text) { return r.err.find(text) != std::string::npos; }

std::size_t count_lines_with(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (const auto& line : lines_of(text)) n += line.find(needle) != std::string::npos;
  return n;
}

TEST(CliBadInput, LtraceFormatOnWhatIsNotLtraceNamesTheFileAndFirstLine) {
  TempDir dir;
  const std::string noise = dir.write("noise.bin", std::string("\x13\x37\xfe\x01 garbage\n\x7f\x02 more\n"));
  const std::string readme = source_path("README.md");
  const std::string heaptrack = sample_path("ht_edgecases.zst");
  for (const auto& file : {noise, readme, heaptrack}) {
    for (const char* command : {"stats", "replay"}) {
      const RunResult r = run_allocsim({command, "--format", "ltrace", file});
      EXPECT_EQ(r.exit_code, 2) << command << " " << file << "\n" << r.describe();
      EXPECT_TRUE(says(r, file + ":1: ")) << r.err;
      EXPECT_TRUE(says(r, "no line of the file is ltrace output")) << r.err;
    }
  }
  // A real ltrace log still reads.
  EXPECT_EQ(run_allocsim({"stats", "--format", "ltrace", sample_path("lt_edgecases_x.txt")}).exit_code, 0);
}

TEST(CliBadInput, RepairsAreOneWarningLinePerKindInEveryCommandAndMode) {
  TempDir dir;
  const std::string raw = sample_path("ht_edgecases.raw.zst");  // one free of a pointer that is not live
  const std::regex heaptrack_warning(
      "allocsim [a-z]+: warning: " + raw + ":[0-9]+: unknown_free, the first of 1 \\(free of a pointer that is not live: dropped\\)");
  const std::vector<std::vector<std::string>> commands{
      {"stats", raw},
      {"convert", raw, "-o", dir.path("t.native")},
      {"replay", raw, "-o", dir.path("v.json")},
      {"replay", raw, "--mode", "threaded", "-o", dir.path("t.json")},
  };
  for (const auto& c : commands) {
    const RunResult r = run_allocsim(c);
    ASSERT_EQ(r.exit_code, 0) << c.front() << " " << r.describe();
    EXPECT_EQ(count_lines_with(r.err, "warning:"), 1u) << r.err;
    EXPECT_TRUE(std::regex_search(r.err, heaptrack_warning)) << r.err;
  }
  // A CSV trace: the line is the file's own.
  const std::string csv = dir.write("t.csv", "# allocsim-csv v1\n0,malloc,1,64\n0,free,7\n0,free,8\n0,free,1\n");
  const RunResult r = run_allocsim({"stats", csv});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(says(r, "warning: " + csv + ":3: unknown_free, the first of 2 ")) << r.err;
  EXPECT_EQ(run_allocsim({"stats", "--strict", csv}).exit_code, 2);
  // A clean trace warns of nothing.
  EXPECT_EQ(count_lines_with(run_allocsim({"stats", dir.path("t.native")}).err, "warning:"), 0u);
}

TEST(CliBadInput, ReplayChecksEveryOutputBeforeItStartsAndWritesNoneOnFailure) {
  TempDir dir;
  const std::string trace = sample_path("ht_sqlite3.raw.zst");
  const auto start = std::chrono::steady_clock::now();
  RunResult r = run_allocsim({"replay", trace, "-o", dir.path("missing/dir/x.json")});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(says(r, dir.path("missing/dir/x.json") + ": cannot write")) << r.err;
  EXPECT_FALSE(says(r, "replayed")) << "the replay ran first: " << r.err;
  r = run_allocsim({"replay", trace, "-o", dir.path("ok.json"), "-o", dir.path("bad/x.csv")});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(says(r, dir.path("bad/x.csv"))) << r.err;
  EXPECT_FALSE(fs::exists(dir.path("ok.json")));
  EXPECT_TRUE(fs::is_empty(dir.path("")));  // no temporary left behind either
  // A format the command does not write, by name or by --to.
  EXPECT_EQ(run_allocsim({"stats", trace, "-o", dir.path("s.csv")}).exit_code, 2);
  EXPECT_EQ(run_allocsim({"stats", trace, "--to", "xml"}).exit_code, 2);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << "bad outputs must cost no replay";
}

TEST(CliBadInput, StatsAndCompareWriteByExtensionAndTo) {
  TempDir dir;
  const std::string trace = sample_path("ht_edgecases.zst");
  ASSERT_EQ(run_allocsim({"stats", trace, "-o", dir.path("s.json")}).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(read_file(dir.path("s.json")))["schema"], "allocsim-trace-stats/1");
  ASSERT_EQ(run_allocsim({"stats", trace, "-o", dir.path("s.txt")}).exit_code, 0);
  EXPECT_FALSE(nlohmann::json::accept(read_file(dir.path("s.txt"))));
  const RunResult to_json = run_allocsim({"stats", trace, "--to", "json"});
  ASSERT_EQ(to_json.exit_code, 0) << to_json.describe();
  EXPECT_EQ(nlohmann::json::parse(to_json.out), nlohmann::json::parse(read_file(dir.path("s.json"))));
}

TEST(CliBadInput, CompareRefusesWhatIsNotAMetricsFile) {
  TempDir dir;
  ASSERT_EQ(run_allocsim({"replay", sample_path("ht_edgecases.raw.zst"), "-o", dir.path("run.json")}).exit_code, 0);
  const std::string plan = dir.write("plan.json", R"({"schema": "allocsim-sweep-plan/1", "runs": []})");
  const std::string broken = dir.write("broken.json", "{\n  \"schema\": \"allocsim-metrics/2\",\n  \"summary\": {,}\n}\n");
  const std::string wrong_type = dir.write("typed.json", R"({"schema": "allocsim-metrics/2", "summary": {"peak_rss_bytes": "big"}})");
  fs::create_directories(dir.path("adir"));
  struct Case {
    std::string file, message;
  };
  for (const Case& c : {Case{plan, plan + ": not a metrics file of `allocsim replay -o` (schema \"allocsim-sweep-plan/1\""},
                        Case{broken, broken + ":3:15: not valid JSON"},
                        Case{dir.path("adir"), dir.path("adir") + ": is a directory"},
                        Case{dir.path("absent.json"), dir.path("absent.json") + ": cannot open"},
                        Case{wrong_type, wrong_type + ": /summary/peak_rss_bytes: "}}) {
    const RunResult r = run_allocsim({"compare", c.file, dir.path("run.json")});
    EXPECT_EQ(r.exit_code, 2) << c.file << "\n" << r.describe();
    EXPECT_TRUE(says(r, c.message)) << c.message << " not in: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(says(r, "json.exception")) << "a library's message leaked: " << r.err;
  }
  // A directory that is not a sweep.
  const RunResult r = run_allocsim({"compare", dir.path("adir")});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(says(r, dir.path("adir"))) << r.err;
}

TEST(CliBadInput, RecordChecksItsOutputBeforeRunningAnything) {
  TempDir dir;
  const std::string marker = dir.path("ran");
  RunResult r = run_allocsim({"record", "-o", "/proc/x.native", "--", "/bin/sh", "-c", "touch " + marker});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(says(r, "/proc/x.native: cannot write")) << r.err;
  EXPECT_FALSE(says(r, "SIGPIPE")) << r.err;
  EXPECT_FALSE(fs::exists(marker)) << "the program ran before the output was checked";
  r = run_allocsim({"record", "-o", dir.path("no/such/dir/t.native"), "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
}

TEST(CliBadInput, RecordRefusesAShellWrapperNamingIt) {
  TempDir dir;
  // What a pyenv shim looks like: a shell script that starts the real program.
  const std::string shim = dir.write("bin/python3", "#!/usr/bin/env bash\nexec /usr/bin/python3 \"$@\"\n");
  fs::permissions(shim, fs::perms::owner_all);
  RunSpec spec;
  spec.argv = {kAllocsimBinary, "record", "-o", dir.path("t.native"), "--", "python3", "-c", "pass"};
  spec.env["PATH"] = dir.path("bin") + ":/usr/bin:/bin";
  const RunResult r = run_program(spec);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(says(r, "python3 is " + shim + ", a script (#!/usr/bin/env bash)")) << r.err;
  EXPECT_TRUE(says(r, "a shell script starts another program")) << r.err;
  EXPECT_FALSE(fs::exists(dir.path("t.native")));
}

}  // namespace
}  // namespace allocsim::testing
