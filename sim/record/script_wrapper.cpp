#include "sim/record/script_wrapper.hpp"

#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "sim/record/recorder.hpp"
#include "sim/record/tools.hpp"

namespace allocsim::sim {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxDepth = 4;  // the kernel's own limit on nested interpreters is 4 too
constexpr std::array kShells = {"sh", "bash", "dash", "zsh", "ksh", "mksh", "fish"};

struct Shebang {
  std::string interpreter;
  std::string argument;  // the rest of the line, one argument as the kernel passes it; "" when none
  std::string line;      // as written, for messages
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// The "#!" line of `path`, or nothing for a binary (or anything else the
// kernel would not read as a script).
std::optional<Shebang> read_shebang(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line) || !line.starts_with("#!")) return std::nullopt;
  Shebang s;
  s.line = trim(line);
  const std::string rest = trim(line.substr(2));
  const auto space = rest.find_first_of(" \t");
  s.interpreter = rest.substr(0, space);
  if (space != std::string::npos) s.argument = trim(rest.substr(space));
  return s;
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string resolve(const std::string& program, const std::string& needed_by) {
  const std::string found = find_executable(program);
  if (found.empty())
    throw RecordSetupError(program + ": no such program (or not executable)" +
                           (needed_by.empty() ? std::string() : ", needed by " + needed_by));
  return found;
}

// The command the kernel runs for the script `path` (its argv), with env's
// lookup done here.
std::vector<std::string> interpreter_command(const std::string& given, const std::string& path, const Shebang& s) {
  const std::string name = fs::path(s.interpreter).filename().string();
  const std::string what = fmt::format("{} is {}, a script ({})", given, path, s.line);
  std::vector<std::string> env_args = name == "env" ? words(s.argument) : std::vector<std::string>{};
  if (!env_args.empty() && env_args.front() == "-S") env_args.erase(env_args.begin());
  // The program that runs the script: env's first argument, or the interpreter.
  const std::string runner = env_args.empty() ? name : fs::path(env_args.front()).filename().string();
  for (const char* shell : kShells)
    if (runner == shell)
      throw RecordSetupError(fmt::format(
          "{}: a shell script starts another program, which the recorder would not record. Give that program "
          "instead (for a pyenv shim: `pyenv which {}`), or `{} {}` to record the shell itself",
          what, fs::path(given).filename().string(), runner, path));
  std::vector<std::string> argv;
  if (name == "env") {
    if (env_args.empty() || env_args.front().starts_with('-') || env_args.front().find('=') != std::string::npos)
      throw RecordSetupError(fmt::format("{}: env's options and assignments are not followed; give the program it runs",
                                         what));
    argv = env_args;
    argv.front() = resolve(env_args.front(), path);
  } else {
    argv.push_back(resolve(s.interpreter, path));
    if (!s.argument.empty()) argv.push_back(s.argument);
  }
  argv.push_back(path);
  return argv;
}

}  // namespace

UnwrappedCommand unwrap_scripts(const std::vector<std::string>& command) {
  if (command.empty()) throw RecordSetupError("no program to run (allocsim record -o OUT -- CMD ARGS...)");
  UnwrappedCommand out{command, {}};
  out.command.front() = resolve(command.front(), "");
  std::string given = command.front();
  for (int depth = 0;; ++depth) {
    const auto shebang = read_shebang(out.command.front());
    if (!shebang) return out;
    if (depth == kMaxDepth)
      throw RecordSetupError(fmt::format("{}: scripts nest more than {} deep", command.front(), kMaxDepth));
    std::vector<std::string> argv = interpreter_command(given, out.command.front(), *shebang);
    out.notes.push_back(fmt::format("{} is a script ({}): recording {}", given, shebang->line, argv.front()));
    argv.insert(argv.end(), out.command.begin() + 1, out.command.end());
    out.command = std::move(argv);
    given = out.command.front();
  }
}

}  // namespace allocsim::sim
