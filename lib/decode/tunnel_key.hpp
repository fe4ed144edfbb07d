// psample-cpp layer 2, internal: the tunnel key of a sample, shared by
// PacketView::tunnel() and Packet::tunnel().
#pragma once

#include "psample/bytes.hpp"
#include "psample/tunnel_view.hpp"

namespace psample::detail {

// decode_tunnel(nested) when `present` and valid, else an empty TunnelView.
// In lib/decode/decode.cpp.
TunnelView tunnel_key(bool present, ByteView nested) noexcept;

}  // namespace psample::detail
