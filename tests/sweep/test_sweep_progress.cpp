// The sweep's progress line: runs done of all, failures, elapsed and remaining time.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "sim/sweep/progress.hpp"

namespace allocsim::sim {
namespace {

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  for (int c; (c = std::fgetc(f)) != EOF;) out.push_back(static_cast<char>(c));
  return out;
}

TEST(SweepProgress, CountsResumedRunsAndRedrawsOneLine) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  SweepProgress progress(f, 10, 4);  // 4 of 10 were done before this invocation
  progress.update(0, 0, 2);
  progress.update(2, 1, 2);
  progress.finish();
  const std::string text = contents(f);
  EXPECT_NE(text.find("\r\033[K[sweep] 4/10 runs  2 running  elapsed 0m00s  remaining ?"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\033[K[sweep] 7/10 runs  (1 failed)  2 running  elapsed 0m00s  remaining ~0m00s"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  std::fclose(f);
}

// Without a terminal (a null stream) nothing is written anywhere.
TEST(SweepProgress, SilentWithoutATerminal) {
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  {
    SweepProgress progress(nullptr, 3, 0);
    progress.update(1, 0, 1);
    progress.finish();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace allocsim::sim
