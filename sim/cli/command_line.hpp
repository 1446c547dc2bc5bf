#pragma once
// The argument parsing every subcommand with positional operands shares.
#include <boost/program_options.hpp>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace allocsim::sim {

// Parses args[1..] against `visible` plus the positional operand `name`,
// bound to `operand`: one word for a std::string, every remaining word
// for a std::vector<std::string>. Returns true when --help was asked;
// otherwise runs the options' notifiers. Throws boost::program_options::error.
template <typename Operand>
bool parse_command_line(const std::vector<std::string>& args, const boost::program_options::options_description& visible,
                        const char* name, Operand& operand) {
  namespace po = boost::program_options;
  constexpr bool many = std::is_same_v<Operand, std::vector<std::string>>;
  static_assert(many || std::is_same_v<Operand, std::string>);
  auto* value = po::value(&operand);
  if constexpr (many) value->multitoken();
  po::options_description all;
  all.add(visible).add_options()(name, value);
  po::positional_options_description positional;
  positional.add(name, many ? -1 : 1);
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
