// `allocsim knobs`: every allocator knob with its default and meaning, and the policy presets.
#include <fmt/core.h>

#include <fmt/ostream.h>

#include <boost/program_options.hpp>

#include "allocator/config.hpp"
#include "allocator/policy.hpp"
#include "sim/cli/commands.hpp"
#include "sim/common/paths.hpp"

namespace allocsim::sim {

int cmd_knobs(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("allocsim knobs: list the allocator's knobs and policy presets");
  opts.add_options()("help,h", "this text");
  po::variables_map vm;
  po::store(po::command_line_parser(std::vector<std::string>(args.begin() + 1, args.end())).options(opts).run(), vm);
  if (vm.count("help")) {
    fmt::print("{}\n", fmt::streamed(opts));
    return kExitOk;
  }
  fmt::print("{:<22} {:<14} {}\n", "knob", "default", "meaning");
  for (const auto& k : allocator::knobs()) fmt::print("{:<22} {:<14} {}\n", k.name, k.default_value, k.meaning);
  fmt::print("\npolicies in {}:", policies_dir());
  for (const auto& n : allocator::policy_names(policies_dir())) fmt::print(" {}", n);
  fmt::print("\n");
  return kExitOk;
}

}  // namespace allocsim::sim
