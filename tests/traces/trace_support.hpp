#pragma once
// Shared helpers of the trace tests: draining a reader, compressing test
// input, a reader over a vector (temporary files and sample paths:
// tests/common).
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tests/common/files.hpp"
#include "tests/common/paths.hpp"
#include "traces/event_reader.hpp"

namespace allocsim::traces {
// Readable gtest failure messages for events.
inline void PrintTo(const Event& e, std::ostream* os) {
  *os << "{" << op_name(e.op) << " id=" << e.id << " old=" << static_cast<std::int64_t>(e.old_id) << " size=" << e.size
      << " thread=" << e.thread << " align=" << e.align << " time=" << static_cast<std::int64_t>(e.time) << "}";
}
}  // namespace allocsim::traces

namespace allocsim::traces::testing {

inline std::string sample(const std::string& name) { return allocsim::testing::sample_path(name); }

using allocsim::testing::read_file;
using allocsim::testing::TempDir;

inline std::vector<Event> drain(EventReader& reader, std::size_t batch_size = 1000) {
  std::vector<Event> events, batch(batch_size);
  while (const std::size_t n = reader.read(batch)) events.insert(events.end(), batch.begin(), batch.begin() + n);
  return events;
}

inline std::vector<Event> read_all(const std::string& path, const ReadOptions& options = {}) {
  auto reader = open_trace(path, options);
  return drain(*reader);
}

inline std::string zstd_compress(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
  return out;
}

inline std::string gzip_compress(const std::string& in) {
  z_stream s{};
  deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, in.size()) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

// Serves a fixed event vector, for tests of code that consumes readers.
class VectorReader : public EventReader {
 public:
  explicit VectorReader(std::vector<Event> events, std::uint32_t threads = 1) : events_(std::move(events)) {
    info_.path = "<memory>";
    info_.format = Format::Csv;
    info_.threads = threads;
  }
  std::size_t read(std::span<Event> out) override {
    std::size_t n = 0;
    while (n < out.size() && pos_ < events_.size()) out[n++] = events_[pos_++];
    return n;
  }
  const TraceInfo& info() const override { return info_; }
  const AnomalyReport& anomalies() const override { return anomalies_; }
  AnomalyReport anomalies_;
  TraceInfo info_;

 private:
  std::vector<Event> events_;
  std::size_t pos_ = 0;
};

}  // namespace allocsim::traces::testing
