// psample-cpp layer 2: an owning copy of a sample, for callers that keep samples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/observation_ids.hpp"
#include "psample/packet_view.hpp"
#include "psample/sample_fields.hpp"
#include "psample/tunnel_view.hpp"

namespace psample {

// A sample that owns its bytes: same accessors as PacketView. Up to
// inline_capacity bytes of bytes attributes (data, cookie, tunnel key, ...)
// are stored inline (no allocation); larger samples take one malloc. If that
// fails, the Packet keeps every number field, holds no bytes attributes, and
// complete() is false.
class PSAMPLE_API Packet : public SampleFields {
 public:
  static constexpr size_t inline_capacity = 256;

  Packet() noexcept = default;
  explicit Packet(const PacketView& view) noexcept;
  Packet(const Packet& other) noexcept;
  Packet(Packet&& other) noexcept;
  Packet& operator=(const Packet& other) noexcept;
  Packet& operator=(Packet&& other) noexcept;
  ~Packet();

  // As PacketView::bytes(), pointing into this Packet.
  ByteView bytes(uint16_t attribute) const noexcept {
    return attribute < attr::count && is_bytes(attribute)
               ? ByteView(storage() + span_offset(attribute), span_length(attribute))
               : ByteView();
  }
  ByteView data() const noexcept { return bytes(attr::data); }
  ByteView user_cookie() const noexcept { return bytes(attr::user_cookie); }
  // Open vSwitch's cookie convention: an 8-byte USER_COOKIE is the
  // observation domain id then the observation point id, each a big-endian
  // u32. Empty for any other cookie (which stays raw in user_cookie()).
  std::optional<ObservationIds> observation_ids() const noexcept { return psample::observation_ids(user_cookie()); }
  // The tunnel key, its option views pointing into this Packet.
  TunnelView tunnel() const noexcept;
  ByteView tunnel_attributes() const noexcept { return bytes(attr::tunnel); }
  // True when the bytes live on the heap rather than inline.
  bool uses_heap() const noexcept { return heap_ != nullptr; }
  // False when the bytes attributes were dropped because memory ran out.
  bool complete() const noexcept { return complete_; }

 private:
  const uint8_t* storage() const noexcept { return heap_ != nullptr ? heap_ : inline_; }
  PSAMPLE_LOCAL void copy_from(const Packet& other) noexcept;
  PSAMPLE_LOCAL void drop_bytes() noexcept;
  PSAMPLE_LOCAL void move_from(Packet& other) noexcept;
  PSAMPLE_LOCAL void release() noexcept;

  size_t size_ = 0;
  uint8_t* heap_ = nullptr;
  bool complete_ = true;
  uint8_t inline_[inline_capacity];
};

}  // namespace psample
