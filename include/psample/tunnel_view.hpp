// psample-cpp layer 2: the tunnel key of a sample (PSAMPLE_ATTR_TUNNEL).
#pragma once

#include <cstdint>

#include "psample/bytes.hpp"
#include "psample/protocol.hpp"

namespace psample {

// The decoded tunnel key. Addresses stay in network byte order as on the
// wire; id and ports are converted to host order. Option blobs are views into
// the receive buffer (or into a Packet's storage).
struct TunnelView {
  uint32_t present = 0;  // bit (1 << tunnel_attr::X) for each attribute seen
  uint64_t id = 0;       // tunnel id (VNI / key), host order
  uint8_t ipv4_src[4] = {};
  uint8_t ipv4_dst[4] = {};
  uint8_t ipv6_src[16] = {};
  uint8_t ipv6_dst[16] = {};
  uint8_t tos = 0;
  uint8_t ttl = 0;
  uint16_t tp_src = 0;  // transport source port, host order
  uint16_t tp_dst = 0;
  ByteView geneve_opts;
  ByteView vxlan_opts;
  ByteView erspan_opts;

  bool has(uint16_t tunnel_attribute) const noexcept {
    return tunnel_attribute < 32 && (present >> tunnel_attribute) & 1u;
  }
  bool dont_fragment() const noexcept { return has(tunnel_attr::dont_fragment); }
  bool csum() const noexcept { return has(tunnel_attr::csum); }
  bool oam() const noexcept { return has(tunnel_attr::oam); }
  bool ipv4_info_bridge() const noexcept { return has(tunnel_attr::ipv4_info_bridge); }
};

}  // namespace psample
