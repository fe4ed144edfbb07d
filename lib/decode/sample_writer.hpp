// psample-cpp layer 2 (private): the one place allowed to fill sample fields.
#pragma once

#include "psample/packet_view.hpp"
#include "psample/result.hpp"

namespace psample::detail {

struct SampleWriter {
  static Result<PacketView> decode(ByteView message) noexcept;
  static void set_sender_port(PacketView& view, uint32_t port) noexcept { view.sender_port_ = port; }
};

}  // namespace psample::detail
