#pragma once
// Command line of every stress program:
//   PROGRAM [test|bench] [name=value ...]
// "test" (the default) is the size the gtest runs (~0.1-0.5 s under
// glibc), "bench" the size scripts/bench_stress.sh runs (~1-5 s); any
// parameter can be overridden by name. The chosen values are printed in the
// summary line, so two runs compare equal only if they did the same work.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "pattern.hpp"

namespace stress {

struct ParamSpec {
  const char* name;
  long long test;   // value at the test size
  long long bench;  // value at the bench size
  const char* meaning;
};

class Params {
 public:
  Params(int argc, char** argv, const char* program, const char* purpose, std::initializer_list<ParamSpec> specs)
      : specs_(specs) {
    g_program = program;
    int first = 1;
    bool bench = false;
    if (argc > 1 && (std::strcmp(argv[1], "test") == 0 || std::strcmp(argv[1], "bench") == 0)) {
      bench = std::strcmp(argv[1], "bench") == 0;
      first = 2;
    }
    for (const auto& s : specs_) values_.push_back(bench ? s.bench : s.test);
    for (int i = first; i < argc; ++i) {
      if (std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0) usage(program, purpose, 0);
      const char* eq = std::strchr(argv[i], '=');
      const std::size_t k = eq ? index_of(std::string(argv[i], static_cast<std::size_t>(eq - argv[i]))) : specs_.size();
      char* end = nullptr;
      const long long v = eq ? std::strtoll(eq + 1, &end, 10) : 0;
      if (k == specs_.size() || end == eq + 1 || *end != '\0' || v < 0) {
        std::fprintf(stderr, "%s: bad argument '%s'\n", program, argv[i]);
        usage(program, purpose, 2);
      }
      values_[k] = v;
    }
  }

  long long operator[](const char* name) const {
    const std::size_t k = index_of(name);
    if (k == specs_.size()) die("internal error: unknown parameter");
    return values_[k];
  }
  std::size_t size(const char* name) const { return static_cast<std::size_t>((*this)[name]); }

  // "name=value name=value ..." in declaration order.
  std::string describe() const {
    std::string out;
    for (std::size_t k = 0; k < specs_.size(); ++k) {
      if (k) out += ' ';
      out += specs_[k].name;
      out += '=';
      out += std::to_string(values_[k]);
    }
    return out;
  }

 private:
  std::size_t index_of(const std::string& name) const {
    for (std::size_t k = 0; k < specs_.size(); ++k)
      if (name == specs_[k].name) return k;
    return specs_.size();
  }
  [[noreturn]] void usage(const char* program, const char* purpose, int status) const {
    std::FILE* out = status ? stderr : stdout;
    std::fprintf(out, "usage: %s [test|bench] [name=value ...]\n%s\n\n%-12s %10s %10s\n", program, purpose, "name",
                 "test", "bench");
    for (const auto& s : specs_) std::fprintf(out, "%-12s %10lld %10lld  %s\n", s.name, s.test, s.bench, s.meaning);
    std::exit(status);
  }

  std::vector<ParamSpec> specs_;
  std::vector<long long> values_;
};

}  // namespace stress
