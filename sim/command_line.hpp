#pragma once
// The argument parsing every subcommand with one positional operand shares.
#include <boost/program_options.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace allocsim::sim {

// Parses args[1..] against `visible` plus the positional operand `name`
// (bound to `operand`). Returns true when --help was asked; otherwise runs
// the options' notifiers. Throws boost::program_options::error.
inline bool parse_command_line(const std::vector<std::string>& args,
                               const boost::program_options::options_description& visible, const char* name,
                               std::string& operand) {
  namespace po = boost::program_options;
  po::options_description all;
  all.add(visible).add_options()(name, po::value(&operand));
  po::positional_options_description positional;
  positional.add(name, 1);
  po::variables_map vm;
  po::store(po::command_line_parser(std::vector<std::string>(args.begin() + 1, args.end()))
                .options(all).positional(positional).run(), vm);
  if (vm.count("help")) return true;
  po::notify(vm);
  return false;
}

inline std::string options_text(const boost::program_options::options_description& options) {
  std::ostringstream text;
  text << options;
  return text.str();
}

}  // namespace allocsim::sim
