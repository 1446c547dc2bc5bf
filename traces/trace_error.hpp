#pragma once
// The one exception every reader throws on input it cannot read: it names
// the file, the line (or byte offset) and the reason. The CLI maps it to exit 2.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace allocsim::traces {

class TraceError : public std::runtime_error {
 public:
  enum class Where { Line, Offset, None };
  TraceError(std::string file, Where where, std::uint64_t pos, const std::string& reason);
  static TraceError at_line(std::string file, std::uint64_t line, const std::string& reason) {
    return TraceError(std::move(file), Where::Line, line, reason);
  }
  static TraceError at_offset(std::string file, std::uint64_t offset, const std::string& reason) {
    return TraceError(std::move(file), Where::Offset, offset, reason);
  }
  const std::string& file() const { return file_; }
  std::uint64_t position() const { return pos_; }
  Where where() const { return where_; }

 private:
  std::string file_;
  Where where_;
  std::uint64_t pos_;
};

}  // namespace allocsim::traces
