// psample-cpp layer 2: an owning copy of a sample, for callers that keep samples.
#pragma once

#include <cstddef>
#include <cstdint>

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/packet_view.hpp"
#include "psample/sample_fields.hpp"
#include "psample/tunnel_view.hpp"

namespace psample {

// A sample that owns its bytes: same accessors as PacketView. Up to
// inline_capacity bytes of data + cookie + tunnel attributes are stored inline
// (no allocation); larger samples take one heap allocation.
class PSAMPLE_API Packet : public SampleFields {
 public:
  static constexpr size_t inline_capacity = 256;

  Packet() noexcept = default;
  explicit Packet(const PacketView& view);
  Packet(const Packet& other);
  Packet(Packet&& other) noexcept;
  Packet& operator=(const Packet& other);
  Packet& operator=(Packet&& other) noexcept;
  ~Packet();

  ByteView data() const noexcept { return ByteView(bytes(), data_length_); }
  ByteView user_cookie() const noexcept { return slice(cookie_); }
  // The tunnel key, its option views pointing into this Packet.
  TunnelView tunnel() const noexcept;
  ByteView tunnel_attributes() const noexcept { return slice(tunnel_); }
  // True when the bytes live on the heap rather than inline.
  bool uses_heap() const noexcept { return heap_ != nullptr; }

 private:
  struct Slice {
    uint32_t offset = 0;
    uint32_t length = 0;
  };

  const uint8_t* bytes() const noexcept { return heap_ != nullptr ? heap_ : inline_; }
  ByteView slice(Slice s) const noexcept { return ByteView(bytes() + s.offset, s.length); }
  void copy_layout(const Packet& other) noexcept;  // fields and slices, not the bytes
  void copy_from(const Packet& other);
  void move_from(Packet& other) noexcept;
  void release() noexcept;

  Slice cookie_, tunnel_;
  size_t size_ = 0;
  uint8_t* heap_ = nullptr;
  uint8_t inline_[inline_capacity];
};

}  // namespace psample
