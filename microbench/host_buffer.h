#pragma once
// Page-aligned host memory, touched once at allocation so first-use page faults stay out of
// timed regions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace hockney {

class HostBuffer {
 public:
  HostBuffer() = default;
  explicit HostBuffer(size_t bytes) : bytes_(bytes) {
    // Whole pages plus one (never zero bytes); a size near SIZE_MAX cannot be allocated.
    if (bytes > SIZE_MAX - 2 * kAlign) throw std::bad_alloc();
    const size_t alloc = (bytes + kAlign - 1) / kAlign * kAlign + kAlign;
    data_ = static_cast<std::byte*>(std::aligned_alloc(kAlign, alloc));
    if (data_ == nullptr) throw std::bad_alloc();
    std::memset(data_, 0, alloc);
  }
  ~HostBuffer() { std::free(data_); }
  HostBuffer(HostBuffer&& o) noexcept : data_(o.data_), bytes_(o.bytes_) {
    o.data_ = nullptr;
    o.bytes_ = 0;
  }
  HostBuffer& operator=(HostBuffer&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;

  std::byte* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  static constexpr size_t kAlign = 4096;
  std::byte* data_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace hockney
