// psample-cpp layer 2: a zero-copy view of one decoded sample.
#pragma once

#include <optional>

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/observation_ids.hpp"
#include "psample/sample_fields.hpp"
#include "psample/tunnel_view.hpp"

namespace psample {

// One sample, decoded in place. data(), user_cookie() and the tunnel's option
// views point into the receive buffer: valid only while that buffer is (inside
// the Receiver's handler call). Copy it into a Packet to keep it.
class PSAMPLE_API PacketView : public SampleFields {
 public:
  // User-provided on purpose (not `= default`): value-initialization then
  // runs SampleFields() instead of first clearing the whole object with a
  // memset (`rep stos` on x86-64).
  PacketView() noexcept {}
  // The payload of bytes attribute `attribute` (DATA, USER_COOKIE, TUNNEL,
  // ...: Width any, at_most or nested in sample_attributes); empty when
  // absent (an absent attribute's slot is 0: offset 0, length 0) and for
  // attributes that are not bytes.
  ByteView bytes(uint16_t attribute) const noexcept {
    return attribute < attr::count && is_bytes(attribute)
               ? ByteView(message_ + span_offset(attribute), span_length(attribute))
               : ByteView();
  }
  // The sampled packet's first bytes (from L2, or L3 on tunnel devices).
  ByteView data() const noexcept { return bytes(attr::data); }
  // The tc action cookie / OVS observation ids, at most 16 bytes (6.11+).
  ByteView user_cookie() const noexcept { return bytes(attr::user_cookie); }
  // Open vSwitch's cookie convention: an 8-byte USER_COOKIE is the
  // observation domain id then the observation point id, each a big-endian
  // u32. Empty for any other cookie (which stays raw in user_cookie()).
  std::optional<ObservationIds> observation_ids() const noexcept { return psample::observation_ids(user_cookie()); }
  // The tunnel key, decoded from tunnel_attributes() (already validated by
  // decode()); empty when !has_tunnel().
  TunnelView tunnel() const noexcept;
  // The raw nested attributes of PSAMPLE_ATTR_TUNNEL.
  ByteView tunnel_attributes() const noexcept { return bytes(attr::tunnel); }

 private:
  friend struct detail::SampleWriter;

  const uint8_t* message_ = nullptr;  // the decoded message's first byte
};

}  // namespace psample
