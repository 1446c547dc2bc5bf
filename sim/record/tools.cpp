#include "sim/record/tools.hpp"

#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "sim/common/shared_library.hpp"

#ifndef ALLOCSIM_INSTALL_LIBDIR
#define ALLOCSIM_INSTALL_LIBDIR "lib"  // GNUInstallDirs' CMAKE_INSTALL_LIBDIR, set by preload/CMakeLists.txt
#endif

namespace allocsim::sim {
namespace {

namespace fs = std::filesystem;

// Every allocation entry point, symbol mode (-x: also calls made inside libc).
constexpr const char* kLtraceFunctions =
    "malloc+free+calloc+realloc+reallocarray+posix_memalign+aligned_alloc+memalign+valloc+pvalloc";

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

std::string first_existing(const std::vector<fs::path>& candidates) {
  std::error_code ec;
  for (const auto& c : candidates)
    if (fs::is_regular_file(c, ec)) return fs::weakly_canonical(c, ec).string();
  return {};
}

std::string need_executable(const std::string& name, const std::string& package) {
  const std::string path = find_executable(name);
  if (path.empty())
    throw RecordSetupError(name + " not found in PATH (Debian package: " + package + "; scripts/setup.sh installs it)");
  return path;
}

// The ltrace prototype file: Debian's default lacks posix_memalign and aligned_alloc.
std::string ltrace_config(const RecordRequest& r) {
  if (!r.ltrace_config.empty()) {
    if (access(r.ltrace_config.c_str(), R_OK) != 0)
      throw RecordSetupError("--ltrace-config " + r.ltrace_config + ": cannot read it");
    return r.ltrace_config;
  }
  const fs::path exe = executable_dir();
  const std::string found = first_existing({exe / "../share/allocsim/alloc.ltrace.conf",
                                            fs::path(ALLOCSIM_SOURCE_DIR) / "traces/samples/src/alloc.ltrace.conf"});
  if (found.empty()) throw RecordSetupError("alloc.ltrace.conf not found (give it with --ltrace-config)");
  return found;
}

// The constructor shim that calls mtrace() in an unmodified program.
std::string mtrace_shim() {
  if (const char* env = std::getenv("ALLOCSIM_MTRACE_SHIM"); env && *env) return env;
  const fs::path exe = executable_dir();
  const std::string found = first_existing({exe / "../lib/liballocsim_mtrace.so",
                                            exe / "../" ALLOCSIM_INSTALL_LIBDIR "/liballocsim_mtrace.so"});
  if (found.empty())
    throw RecordSetupError("liballocsim_mtrace.so not found beside " + exe.string() +
                           " (build the allocsim_mtrace_shim target, or set ALLOCSIM_MTRACE_SHIM)");
  return found;
}

Invocation heaptrack(const RecordRequest& r, const std::string& program, const std::string& base) {
  Invocation inv;
  const std::string prefix = base;
  inv.argv = {need_executable("heaptrack", "heaptrack"), "-r", "-o", prefix, program};
  inv.outputs = {prefix + ".raw.zst", prefix + ".raw.gz"};
  inv.extension = ".raw.zst";
  return inv;
}

// The first CPU this process may run on.
std::string first_allowed_cpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &set)) return std::to_string(cpu);
  return "0";
}

// ltrace 0.7's breakpoints race when a traced program's threads run on
// several CPUs at once (threads die with SIGSEGV), so the program and ltrace
// are pinned to one CPU, as the shared sample lt_mt_prodcons_x was recorded.
Invocation ltrace(const RecordRequest& r, const std::string& program, const std::string& base) {
  Invocation inv;
  const std::string log = base + ".txt";
  inv.argv = {need_executable("taskset", "util-linux"), "-c", first_allowed_cpu(),
              need_executable("ltrace", "ltrace"), "-F", ltrace_config(r), "-f", "-ttt", "-T", "-e", "-*",
              "-x", kLtraceFunctions, "-o", log, program};
  inv.outputs = {log};
  inv.extension = ".txt";
  return inv;
}

Invocation mtrace(const RecordRequest&, const std::string& program, const std::string& base) {
  Invocation inv;
  const std::string debug = find_shared_library("libc_malloc_debug.so.0", ".");
  if (debug.empty()) throw RecordSetupError("libc_malloc_debug.so.0 not found (glibc 2.34 or later ships it)");
  const std::string log = base + ".txt";
  std::string preload = debug + " " + mtrace_shim();
  if (const char* old = std::getenv("LD_PRELOAD"); old && *old) preload += std::string(" ") + old;
  inv.argv = {program};
  inv.env = {"LD_PRELOAD=" + preload, "MALLOC_TRACE=" + log};
  inv.outputs = {log};
  inv.extension = ".txt";
  return inv;
}

}  // namespace

std::string find_executable(const std::string& program) {
  if (program.empty()) return {};
  if (program.find('/') != std::string::npos)
    return access(program.c_str(), X_OK) == 0 ? fs::absolute(program).lexically_normal().string() : std::string();
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

Invocation plan_recording(const RecordRequest& request, const std::string& program, const std::string& base) {
  Invocation inv;
  switch (request.tool) {
    case RecordTool::Heaptrack: inv = heaptrack(request, program, base); break;
    case RecordTool::Ltrace: inv = ltrace(request, program, base); break;
    case RecordTool::Mtrace: inv = mtrace(request, program, base); break;
  }
  for (std::size_t i = 1; i < request.command.size(); ++i) inv.argv.push_back(request.command[i]);
  return inv;
}

}  // namespace allocsim::sim
