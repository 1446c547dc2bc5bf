#pragma once
// Bytes and lines from a trace file, with decompression kept apart from
// parsing: open_input() sniffs the magic (zstd, gzip, or plain) and every
// parser reads the same plain byte stream.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "traces/event_reader.hpp"

namespace allocsim::traces {

enum class Compression { None, Zstd, Gzip };

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n decompressed bytes; 0 only at the end of the input.
  // Throws TraceError (with the compressed byte offset) on corrupt or
  // truncated compressed data.
  virtual std::size_t read(char* buffer, std::size_t n) = 0;
  virtual const std::string& path() const = 0;
  virtual Compression compression() const = 0;
  // Bytes of the file consumed so far (compressed bytes), for progress.
  virtual std::uint64_t file_offset() const = 0;
  virtual std::uint64_t file_size() const = 0;
};

// The source's file position, for EventReader::position().
inline ReadPosition position_of(const ByteSource& source) { return {source.file_offset(), source.file_size()}; }

// Throws TraceError naming the file when it is missing or unreadable.
std::unique_ptr<ByteSource> open_input(const std::string& path);

// The same sniffing and decompression over bytes already in memory (fuzz
// targets, tests). `data` must outlive the source; `name` stands in for the
// path in error messages.
std::unique_ptr<ByteSource> make_memory_source(std::string_view data, std::string name);

// Splits a ByteSource into lines without copying them more than once.
class LineReader {
 public:
  explicit LineReader(std::unique_ptr<ByteSource> source);
  // The next line without its '\n' (and without a trailing '\r'); valid
  // until the next call. Returns false at the end of the input.
  bool next(std::string_view& line);
  // 1-based number of the line last returned by next().
  std::uint64_t line_number() const { return line_number_; }
  // Up to n bytes from the current position without consuming them
  // (for format detection before the first next()).
  std::string_view peek(std::size_t n);
  const ByteSource& source() const { return *source_; }
  const std::string& path() const { return source_->path(); }

 private:
  bool fill();
  std::unique_ptr<ByteSource> source_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first unconsumed byte in buffer_
  std::size_t end_ = 0;    // one past the last valid byte in buffer_
  bool eof_ = false;
  std::size_t scanned_ = 0;  // bytes after begin_ already known to hold no '\n'
  std::uint64_t line_number_ = 0;
};

}  // namespace allocsim::traces
