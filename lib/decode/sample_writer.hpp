// psample-cpp layer 2, internal: the writer of PacketView's fields.
//
// psample::decode() (lib/decode/decode.cpp) is split in two so that the
// common case costs about what a hand-written switch does:
// - SampleWriter::scan(): a leaf (no calls). It fills the view, checks every
//   bound and width, and on the first fault stops with a compact
//   (fault, offset) pair instead of building an error.
// - sample_finish(): cold, called only when scan() stopped on a fault or saw
//   a TUNNEL; it validates the tunnel key(s) and turns the fault into the
//   Error the caller sees, reading the attribute's type and width back from
//   the message.
#pragma once

#include <cstddef>
#include <cstdint>

#include "psample/bytes.hpp"
#include "psample/packet_view.hpp"
#include "psample/protocol.hpp"

namespace psample::detail {

constexpr uint32_t sample_headers_size = 20;     // nlmsghdr + genlmsghdr
constexpr uint32_t sample_command_offset = 16;   // genlmsghdr.cmd
constexpr uint32_t sample_attribute_header = 4;  // struct nlattr

// Why scan() stopped. `offset` is the byte the fault is at (the attribute's
// header for attribute faults).
enum class SampleFault : uint32_t {
  none = 0,
  shorter_than_headers,  // offset: the message size
  length_below_headers,  // nlmsg_len < 20
  length_past_end,       // nlmsg_len > the bytes given
  not_a_sample,          // genlmsghdr.cmd != SAMPLE
  attribute_past_end,    // nla_len < 4, or runs past nlmsg_len
  attribute_width,       // a known attribute of impossible width
  trailing_bytes,        // 1-3 bytes after the last attribute
  tunnel_to_validate,    // no fault, but a TUNNEL to check (offset: nlmsg_len)
};

struct SampleScan {
  SampleFault fault;
  uint32_t offset;
};

struct SampleWriter {
  // Fills `view` from `message`; in lib/decode/decode.cpp.
  static SampleScan scan(PacketView& view, ByteView message) noexcept;
  static void set_sender_port(PacketView& view, uint32_t port) noexcept { view.sender_port_ = port; }
};

}  // namespace psample::detail
