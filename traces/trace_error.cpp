#include "traces/trace_error.hpp"

#include <fmt/format.h>

namespace allocsim::traces {
namespace {

std::string compose(const std::string& file, TraceError::Where where, std::uint64_t pos,
                    const std::string& reason) {
  switch (where) {
    case TraceError::Where::Line: return fmt::format("{}:{}: {}", file, pos, reason);
    case TraceError::Where::Offset: return fmt::format("{}: byte {}: {}", file, pos, reason);
    case TraceError::Where::None: break;
  }
  return fmt::format("{}: {}", file, reason);
}

}  // namespace

TraceError::TraceError(std::string file, Where where, std::uint64_t pos, const std::string& reason)
    : std::runtime_error(compose(file, where, pos, reason)), file_(std::move(file)), where_(where), pos_(pos) {}

}  // namespace allocsim::traces
