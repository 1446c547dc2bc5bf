// unwrap_scripts: `allocsim record` runs the program a script would start,
// not the script's `env` or shell (sim/record/script_wrapper.hpp).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "sim/record/recorder.hpp"
#include "sim/record/script_wrapper.hpp"
#include "tests/common/files.hpp"

namespace allocsim::sim {
namespace {

namespace fs = std::filesystem;
using allocsim::testing::TempDir;

std::string executable_script(TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.write(name, text);
  fs::permissions(path, fs::perms::owner_all);
  return path;
}

TEST(ScriptWrapper, ABinaryIsLeftAsItIs) {
  const UnwrappedCommand u = unwrap_scripts({"/bin/true", "x"});
  EXPECT_EQ(u.command, (std::vector<std::string>{"/bin/true", "x"}));
  EXPECT_TRUE(u.notes.empty());
}

TEST(ScriptWrapper, EnvIsFollowedToTheProgramItWouldRun) {
  TempDir dir;
  const std::string script = executable_script(dir, "tool.sh.py", "#!/usr/bin/env true\nprint('hi')\n");
  const UnwrappedCommand u = unwrap_scripts({script, "--flag"});
  ASSERT_EQ(u.command.size(), 3u);
  EXPECT_EQ(fs::path(u.command[0]).filename(), "true");
  EXPECT_TRUE(fs::path(u.command[0]).is_absolute());
  EXPECT_EQ(u.command[1], script);
  EXPECT_EQ(u.command[2], "--flag");
  ASSERT_EQ(u.notes.size(), 1u);
  EXPECT_NE(u.notes[0].find("#!/usr/bin/env true"), std::string::npos) << u.notes[0];
}

TEST(ScriptWrapper, AnInterpreterWithItsArgumentRunsTheScript) {
  TempDir dir;
  const std::string script = executable_script(dir, "s", "#!/bin/true -x \n");
  const UnwrappedCommand u = unwrap_scripts({script});
  EXPECT_EQ(u.command, (std::vector<std::string>{"/bin/true", "-x", script}));
}

TEST(ScriptWrapper, AShellScriptIsRefusedNamingIt) {
  TempDir dir;
  const std::string shim = executable_script(dir, "python3", "#!/usr/bin/env bash\nexec pyenv exec python3 \"$@\"\n");
  try {
    unwrap_scripts({shim, "-c", "pass"});
    FAIL() << "a shell wrapper was accepted";
  } catch (const RecordSetupError& e) {
    EXPECT_NE(std::string(e.what()).find(shim + ", a script (#!/usr/bin/env bash)"), std::string::npos) << e.what();
  }
  const std::string direct = executable_script(dir, "launch", "#!/bin/sh\nexec /bin/true\n");
  EXPECT_THROW(unwrap_scripts({direct}), RecordSetupError);
}

TEST(ScriptWrapper, MissingProgramsAndLoopsAreRefused) {
  TempDir dir;
  EXPECT_THROW(unwrap_scripts({dir.path("absent")}), RecordSetupError);
  EXPECT_THROW(unwrap_scripts({executable_script(dir, "a", "#!/usr/bin/env no-such-program-here\n")}), RecordSetupError);
  EXPECT_THROW(unwrap_scripts({executable_script(dir, "b", "#!/usr/bin/env -i true\n")}), RecordSetupError);
  const std::string loop = dir.path("loop");
  executable_script(dir, "loop", "#!" + loop + "\n");
  EXPECT_THROW(unwrap_scripts({loop}), RecordSetupError);
  EXPECT_THROW(unwrap_scripts({}), RecordSetupError);
}

}  // namespace
}  // namespace allocsim::sim
