// psample-cpp layer 2: a zero-copy view of one decoded sample.
#pragma once

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/sample_fields.hpp"
#include "psample/tunnel_view.hpp"

namespace psample {

// One sample, decoded in place. data(), user_cookie() and the tunnel's option
// views point into the receive buffer: valid only while that buffer is (inside
// the Receiver's handler call). Copy it into a Packet to keep it.
class PSAMPLE_API PacketView : public SampleFields {
 public:
  // User-provided on purpose (not `= default`): value-initialization then
  // runs the member initializers below instead of first clearing the whole
  // object with a memset, which compilers emit as `rep stos` (about 15 ns per
  // decode on the benchmark machine).
  PacketView() noexcept {}
  // The sampled packet's first bytes (from L2, or L3 on tunnel devices).
  ByteView data() const noexcept { return data_; }
  // The tc action cookie / OVS observation ids, at most 16 bytes (6.11+).
  ByteView user_cookie() const noexcept { return user_cookie_; }
  // The tunnel key, decoded from tunnel_attributes() (already validated by
  // decode()); empty when !has_tunnel().
  TunnelView tunnel() const noexcept;
  // The raw nested attributes of PSAMPLE_ATTR_TUNNEL.
  ByteView tunnel_attributes() const noexcept { return tunnel_attributes_; }

 private:
  friend struct detail::SampleWriter;

  ByteView data_;
  ByteView user_cookie_;
  ByteView tunnel_attributes_;
};

}  // namespace psample
