#pragma once
// Memory for the heap's own metadata (thread caches, queue rings, hash
// buckets). It is mapped directly, never through malloc, so the core can
// serve as the process's malloc without recursing into itself.
#include <sys/mman.h>

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace allocsim::allocator {

// Zero-filled memory of its own. Small mappings (up to 64 KiB: a thread's
// caches, a thread record, small rings) are kept on unmap, a few of each
// size, and handed out again zeroed: a program that starts and ends
// thousands of threads would otherwise pay an mmap, a munmap (with its TLB
// shootdown across the process's CPUs) and fresh page faults for each.
void* internal_map(std::size_t bytes);
void internal_unmap(void* p, std::size_t bytes);
// Bytes mapped for metadata now, by every heap of the process.
std::size_t internal_mapped_bytes();

// Fork support (Heap::prepare_fork and after_fork_*): the lock of the kept
// mappings is a leaf, taken last and released first.
void internal_memory_lock();
void internal_memory_unlock();
void internal_memory_reset_in_child();

// A fixed-capacity array in its own mapping. The mapping is zero-filled
// and nothing is constructed, so pages are touched only when used: T must
// be trivially destructible and its default state all-zero bytes (counts,
// pointers, atomics of them).
template <typename T>
class InternalArray {
  static_assert(std::is_trivially_destructible_v<T>);

 public:
  InternalArray() = default;
  explicit InternalArray(std::size_t n) : size_(n) {
    if (n == 0) return;
    data_ = static_cast<T*>(internal_map(bytes()));
    if (!data_) throw std::bad_alloc();
  }
  ~InternalArray() { internal_unmap(data_, bytes()); }
  InternalArray(InternalArray&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  InternalArray& operator=(InternalArray&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  InternalArray(const InternalArray&) = delete;
  InternalArray& operator=(const InternalArray&) = delete;

  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T* data() { return data_; }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return size_ * sizeof(T); }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace allocsim::allocator

namespace allocsim::allocator {

// A growable array of trivially copyable T in internal memory (no malloc).
template <typename T>
class InternalVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  InternalVector() = default;
  ~InternalVector() { internal_unmap(data_, capacity_ * sizeof(T)); }
  InternalVector(const InternalVector&) = delete;
  InternalVector& operator=(const InternalVector&) = delete;

  void push_back(const T& v) {
    if (size_ == capacity_) grow();
    data_[size_++] = v;
  }
  void insert_at(std::size_t i, const T& v) {  // keeps order
    if (size_ == capacity_) grow();
    for (std::size_t j = size_; j > i; --j) data_[j] = data_[j - 1];
    data_[i] = v;
    ++size_;
  }
  void pop_back() { --size_; }
  T& back() { return data_[size_ - 1]; }
  void erase_at(std::size_t i) {  // keeps order
    for (std::size_t j = i + 1; j < size_; ++j) data_[j - 1] = data_[j];
    --size_;
  }
  void erase_front(std::size_t n) {  // keeps order
    std::memmove(static_cast<void*>(data_), data_ + n, (size_ - n) * sizeof(T));
    size_ -= n;
  }
  void clear() { size_ = 0; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

 private:
  void grow() {
    const std::size_t cap = capacity_ ? capacity_ * 2 : 4096 / sizeof(T);
    T* fresh = static_cast<T*>(internal_map(cap * sizeof(T)));
    if (!fresh) throw std::bad_alloc();
    if (size_) std::memcpy(static_cast<void*>(fresh), data_, size_ * sizeof(T));
    internal_unmap(data_, capacity_ * sizeof(T));
    data_ = fresh;
    capacity_ = cap;
  }
  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace allocsim::allocator
