#pragma once
// Where allocsim finds its data (policy presets, sweep specs) at run time.
#include <string>

namespace allocsim::sim {

// $ALLOCSIM_CONFIG_DIR, else configs/ beside the installed or built binary,
// else the source tree the binary was built from.
std::string configs_dir();
std::string policies_dir();

}  // namespace allocsim::sim
