// psample-cpp: a non-owning view of bytes (C++17 has no std::span).
#pragma once

#include <cstddef>
#include <cstdint>

namespace psample {

// A read-only range of bytes the caller owns. Cheap to copy; never allocates.
class ByteView {
 public:
  constexpr ByteView() noexcept = default;
  constexpr ByteView(const uint8_t* data, size_t size) noexcept : data_(data), size_(size) {}
  ByteView(const void* data, size_t size) noexcept : data_(static_cast<const uint8_t*>(data)), size_(size) {}

  constexpr const uint8_t* data() const noexcept { return data_; }
  constexpr size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr const uint8_t* begin() const noexcept { return data_; }
  constexpr const uint8_t* end() const noexcept { return data_ + size_; }
  constexpr uint8_t operator[](size_t i) const noexcept { return data_[i]; }

  // The bytes [offset, offset + count), clamped to this view.
  constexpr ByteView subview(size_t offset, size_t count = SIZE_MAX) const noexcept {
    if (offset > size_) offset = size_;
    if (count > size_ - offset) count = size_ - offset;
    return ByteView(data_ + offset, count);
  }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// A writable range of bytes the caller owns (receive and request buffers).
class MutableByteView {
 public:
  constexpr MutableByteView() noexcept = default;
  constexpr MutableByteView(uint8_t* data, size_t size) noexcept : data_(data), size_(size) {}
  MutableByteView(void* data, size_t size) noexcept : data_(static_cast<uint8_t*>(data)), size_(size) {}

  constexpr uint8_t* data() const noexcept { return data_; }
  constexpr size_t size() const noexcept { return size_; }
  constexpr operator ByteView() const noexcept { return ByteView(data_, size_); }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace psample
