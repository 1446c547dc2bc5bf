#pragma once
// The program a command actually runs. A recorder records the process it
// starts; when the command names a script (`#!/usr/bin/env python3`, a pyenv
// or rbenv shim, a launcher), that process is the interpreter, and with
// `env` as the interpreter it is env, which then starts the real program:
// the recording would hold env's few allocations and look like a success.
// So `allocsim record` runs what the kernel would run, itself: the
// interpreter of a script with the script as its argument, and for env the
// program env would look up in $PATH. A shell script cannot be followed (what
// it starts is decided when it runs): it is refused, naming the wrapper.
#include <string>
#include <vector>

namespace allocsim::sim {

struct UnwrappedCommand {
  std::vector<std::string> command;  // command[0] is an absolute path to a binary, not a script
  std::vector<std::string> notes;    // one line per script followed ("x is a script ...")
};

// Throws RecordSetupError when a program in the chain is missing, when a
// script's interpreter is a shell, or when scripts nest more than 4 deep.
UnwrappedCommand unwrap_scripts(const std::vector<std::string>& command);

}  // namespace allocsim::sim
