#include "traces/prefetch_reader.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace allocsim::traces {
namespace {

constexpr std::size_t kBatch = 4096;
constexpr std::size_t kDepth = 4;  // batches in flight

class PrefetchReader final : public EventReader {
 public:
  explicit PrefetchReader(std::unique_ptr<EventReader> inner)
      : inner_(std::move(inner)), opened_info_(inner_->info()), opened_anomalies_(inner_->anomalies()) {
    for (std::size_t i = 0; i < kDepth; ++i) free_.emplace_back(kBatch);
    thread_ = std::thread([this] { produce(); });
  }

  ~PrefetchReader() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  std::size_t read(std::span<Event> out) override {
    std::size_t n = 0;
    while (n < out.size() && (pos_ < current_.size() || next_batch())) {
      const std::size_t k = std::min(out.size() - n, current_.size() - pos_);
      std::copy_n(current_.begin() + static_cast<std::ptrdiff_t>(pos_), k, out.begin() + static_cast<std::ptrdiff_t>(n));
      pos_ += k;
      n += k;
    }
    // An error is raised after the events read before it, by the call that finds no more.
    if (n == 0 && pending_error_) std::rethrow_exception(std::exchange(pending_error_, nullptr));
    return n;
  }

  const TraceInfo& info() const override { return ended_ ? inner_->info() : opened_info_; }
  const AnomalyReport& anomalies() const override { return ended_ ? inner_->anomalies() : opened_anomalies_; }
  // Where the reading thread is (a few batches ahead of the consumer).
  ReadPosition position() const override { return {bytes_read_.load(std::memory_order_relaxed), file_size_}; }
  std::optional<CallCounts> calls() const override { return ended_ ? inner_->calls() : std::nullopt; }
  std::optional<HeaptrackTotals> heaptrack_totals() const override {
    return ended_ ? inner_->heaptrack_totals() : std::nullopt;
  }

 private:
  // Hands the spent batch back and waits for the next; false at the end
  // (with the reading thread's error, if any, in pending_error_).
  bool next_batch() {
    if (ended_) return false;
    std::unique_lock lock(mutex_);
    if (current_.capacity()) {
      current_.resize(kBatch);
      free_.push_back(std::move(current_));
      changed_.notify_all();
    }
    changed_.wait(lock, [&] { return !full_.empty(); });
    current_ = std::move(full_.front());
    full_.pop_front();
    pos_ = 0;
    if (!current_.empty()) return true;
    ended_ = true;  // the reading thread is done with inner_
    pending_error_ = error_;
    return false;
  }

  void produce() {
    for (;;) {
      std::vector<Event> batch;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || !free_.empty(); });
        if (stop_) return;
        batch = std::move(free_.front());
        free_.pop_front();
      }
      std::exception_ptr error;
      std::size_t n = 0;
      try {
        n = inner_->read(batch);
        bytes_read_.store(inner_->position().bytes, std::memory_order_relaxed);
      } catch (...) {
        error = std::current_exception();
      }
      batch.resize(n);
      {
        std::lock_guard lock(mutex_);
        error_ = error;
        full_.push_back(std::move(batch));
      }
      changed_.notify_all();
      if (n == 0) return;
    }
  }

  std::unique_ptr<EventReader> inner_;
  const TraceInfo opened_info_;
  const AnomalyReport opened_anomalies_;
  const std::uint64_t file_size_ = inner_->position().size;
  std::atomic<std::uint64_t> bytes_read_{0};
  // Consumer side.
  std::vector<Event> current_;
  std::size_t pos_ = 0;
  bool ended_ = false;
  std::exception_ptr pending_error_;
  // Shared, under mutex_.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<Event>> free_, full_;
  std::exception_ptr error_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<EventReader> read_ahead(std::unique_ptr<EventReader> reader) {
  return std::make_unique<PrefetchReader>(std::move(reader));
}

}  // namespace allocsim::traces
