#pragma once
// The error family of bad input: what the user gave — arguments, a spec, a
// trace the replay cannot follow, a program that cannot be recorded, a
// place to write that cannot be written — is wrong, and a rerun with the
// same input fails the same way. The layers' own errors (SpecError,
// ReplayError, RecordSetupError, OutputError) derive from it; the CLI maps
// it, with the libraries' equivalents, to exit code 2 in one place
// (sim/cli/cli.cpp).
#include <stdexcept>

namespace allocsim::sim {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An output file or directory cannot be created or written (no such
// directory, no permission, a read-only file system). Bad output counts as
// bad input: the user named the place.
class OutputError : public InputError {
 public:
  using InputError::InputError;
};

}  // namespace allocsim::sim
