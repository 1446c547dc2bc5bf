#pragma once
// The error family of bad input: what the user gave — arguments, a spec, a
// trace the replay cannot follow, a program that cannot be recorded — is
// wrong, and a rerun with the same input fails the same way. The layers'
// own errors (SpecError, ReplayError, RecordSetupError) derive from it; the
// CLI maps it, with the libraries' equivalents, to exit code 2 in one place
// (sim/cli/cli.cpp).
#include <stdexcept>

namespace allocsim::sim {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace allocsim::sim
