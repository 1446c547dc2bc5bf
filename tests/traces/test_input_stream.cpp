// Byte sources (plain, zstd, gzip; file and memory) and the line splitter.
#include <gtest/gtest.h>

#include <random>

#include "tests/traces/trace_support.hpp"
#include "traces/input_stream.hpp"
#include "traces/trace_error.hpp"

namespace allocsim::traces {
namespace {

using testing::TempDir;

std::vector<std::string> lines_of(std::unique_ptr<ByteSource> source) {
  LineReader reader(std::move(source));
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.next(line)) {
    lines.emplace_back(line);
    EXPECT_EQ(reader.line_number(), lines.size());
  }
  return lines;
}

std::string all_bytes(ByteSource& source) {
  std::string out;
  char buffer[777];
  while (const std::size_t n = source.read(buffer, sizeof buffer)) out.append(buffer, n);
  return out;
}

// A text of many lines of varied length, longer than the 1 MiB buffers.
std::string big_text() {
  std::mt19937 rng(3);
  std::string text;
  for (int i = 0; text.size() < (3u << 20); ++i) text += std::to_string(i) + std::string(rng() % 300, 'x') + "\n";
  return text;
}

TEST(LineReader, SplitsLinesAndStripsCarriageReturns) {
  const std::string text = "a\r\n\nb c\nlast";
  EXPECT_EQ(lines_of(make_memory_source(text, "m")), (std::vector<std::string>{"a", "", "b c", "last"}));
}

TEST(LineReader, EmptyInputHasNoLines) { EXPECT_TRUE(lines_of(make_memory_source("", "m")).empty()); }

TEST(LineReader, LinesCrossingBufferBoundariesStayWhole) {
  const std::string text = big_text();
  const auto lines = lines_of(make_memory_source(text, "m"));
  std::string joined;
  for (const auto& l : lines) joined += l + "\n";
  EXPECT_EQ(joined, text);
}

TEST(LineReader, ALineLongerThanTheBufferIsRead) {
  const std::string text = "short\n" + std::string(3u << 20, 'y') + "\nend\n";
  const auto lines = lines_of(make_memory_source(text, "m"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].size(), 3u << 20);
}

TEST(LineReader, PeekDoesNotConsume) {
  const std::string text = "v 1 3\nx\n";
  LineReader reader(make_memory_source(text, "m"));
  EXPECT_EQ(reader.peek(4), "v 1 ");
  EXPECT_EQ(reader.peek(100), text);
  std::string_view line;
  ASSERT_TRUE(reader.next(line));
  EXPECT_EQ(line, "v 1 3");
}

TEST(ByteSource, DecompressesZstdAndGzipFromFilesAndMemory) {
  TempDir dir;
  const std::string text = big_text();
  const std::string zst = testing::zstd_compress(text), gz = testing::gzip_compress(text);
  EXPECT_EQ(all_bytes(*make_memory_source(zst, "m")), text);
  EXPECT_EQ(all_bytes(*make_memory_source(gz, "m")), text);
  auto zfile = open_input(dir.write("t.zst", zst));
  EXPECT_EQ(zfile->compression(), Compression::Zstd);
  EXPECT_EQ(all_bytes(*zfile), text);
  EXPECT_EQ(zfile->file_offset(), zst.size());
  EXPECT_EQ(zfile->file_size(), zst.size());
  auto gfile = open_input(dir.write("t.gz", gz));
  EXPECT_EQ(gfile->compression(), Compression::Gzip);
  EXPECT_EQ(all_bytes(*gfile), text);
  auto plain = open_input(dir.write("t.txt", text));
  EXPECT_EQ(plain->compression(), Compression::None);
  EXPECT_EQ(all_bytes(*plain), text);
}

TEST(ByteSource, ConcatenatedFramesAndMembersAreOneStream) {
  const std::string zst = testing::zstd_compress("one\n") + testing::zstd_compress("two\n");
  const std::string gz = testing::gzip_compress("one\n") + testing::gzip_compress("two\n");
  EXPECT_EQ(all_bytes(*make_memory_source(zst, "m")), "one\ntwo\n");
  EXPECT_EQ(all_bytes(*make_memory_source(gz, "m")), "one\ntwo\n");
}

// The offset a source's error names, or -1 when it reads cleanly.
std::int64_t error_offset(const std::string& bytes, std::string* message = nullptr) {
  try {
    auto source = make_memory_source(bytes, "data.bin");
    all_bytes(*source);
  } catch (const TraceError& e) {
    EXPECT_EQ(e.where(), TraceError::Where::Offset);
    if (message) *message = e.what();
    return static_cast<std::int64_t>(e.position());
  }
  return -1;
}

TEST(ByteSource, TruncatedCompressedDataIsAnErrorWithOffset) {
  const std::string text = big_text();
  for (const std::string& whole : {testing::zstd_compress(text), testing::gzip_compress(text)}) {
    const std::string cut = whole.substr(0, whole.size() / 2);
    std::string message;
    const std::int64_t at = error_offset(cut, &message);
    EXPECT_GT(at, 0);
    EXPECT_LE(at, static_cast<std::int64_t>(cut.size()));
    EXPECT_NE(message.find("data.bin: byte "), std::string::npos) << message;
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  }
}

TEST(ByteSource, CorruptCompressedDataIsAnErrorWithOffset) {
  const std::string text = big_text();
  for (std::string whole : {testing::zstd_compress(text), testing::gzip_compress(text)}) {
    for (std::size_t i = whole.size() / 3; i < whole.size() / 3 + 64; ++i) whole[i] = static_cast<char>(~whole[i]);
    std::string message;
    EXPECT_GE(error_offset(whole, &message), 0);
    EXPECT_NE(message.find("corrupt"), std::string::npos) << message;
  }
}

TEST(ByteSource, MissingFileNamesTheFile) {
  try {
    open_input("/nonexistent/trace.zst");
    FAIL() << "no error";
  } catch (const TraceError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/trace.zst");
    EXPECT_NE(std::string(e.what()).find("/nonexistent/trace.zst: "), std::string::npos);
  }
  TempDir dir;
  EXPECT_THROW(open_input(dir.path("")), TraceError);  // a directory
}

}  // namespace
}  // namespace allocsim::traces
