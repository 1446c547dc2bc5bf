#pragma once
// Where each recorder is, how it is invoked, and where its file appears.
#include <string>
#include <vector>

#include "sim/record/recorder.hpp"

namespace allocsim::sim {

struct Invocation {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value" added to this process's environment
  // The recording, once the recorder has run: the first of these that exists.
  std::vector<std::string> outputs;
  std::string extension;  // of the kept recording: ".raw.zst", ".txt", ...
};

// The absolute path of `program` ('/' in it: as given; else searched in
// $PATH); "" when there is no such executable.
std::string find_executable(const std::string& program);

// Throws RecordSetupError naming what is missing (recorder, prototype
// file, preload libraries). The recording goes to `base` + its extension.
Invocation plan_recording(const RecordRequest& request, const std::string& program, const std::string& base);

}  // namespace allocsim::sim
