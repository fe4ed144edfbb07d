// psample-cpp drop monitor, layer 2: a zero-copy view of one dropped packet
// (a PACKET_ALERT), software or hardware.
#pragma once

#include <cstdint>
#include <string_view>

#include "psample/bytes.hpp"
#include "psample/dropmon/protocol.hpp"

namespace psample::dropmon {

class Drop;
namespace detail {
struct DropWriter;
}

// One drop, decoded in place. The strings and bytes point into the receive
// buffer: valid only while that buffer is (inside the handler call). Copy it
// into a Drop to keep it. An absent attribute reads as 0 or empty; has()
// tells it from a real 0.
class DropView {
 public:
  // Whether attribute `attribute` (attr::*) was in the message.
  bool has(uint16_t attribute) const noexcept { return attribute < attr::count && (present_ >> attribute & 1u); }
  uint32_t present_mask() const noexcept { return present_; }

  // Software unless the kernel said hardware (every PACKET_ALERT carries ORIGIN).
  Origin origin() const noexcept { return origin_; }
  bool is_hardware() const noexcept { return origin_ == Origin::hardware; }
  // Software drops: where the kernel freed the packet, and why.
  uint64_t pc() const noexcept { return pc_; }
  std::string_view symbol() const noexcept { return symbol_; }  // "udp_queue_rcv_one_skb+0x1f/0x80"
  std::string_view reason() const noexcept { return reason_; }  // "NO_SOCKET" (5.18+)
  // Hardware drops: the devlink trap that took the packet.
  std::string_view trap_group() const noexcept { return trap_group_; }  // "l3_drops"
  std::string_view trap_name() const noexcept { return trap_name_; }    // "blackhole_route"
  ByteView flow_action_cookie() const noexcept { return cookie_; }
  // The input port: its ifindex (software and hardware) and, for hardware
  // drops, its name.
  bool has_in_ifindex() const noexcept { return port_present_ & 1u; }
  uint32_t in_ifindex() const noexcept { return in_ifindex_; }
  bool has_in_port_name() const noexcept { return port_present_ & 2u; }
  std::string_view in_port_name() const noexcept { return in_port_name_; }
  // When the packet was dropped (ns since the epoch, CLOCK_REALTIME).
  uint64_t timestamp_ns() const noexcept { return timestamp_ns_; }
  // The packet: its ethertype (host order), its length when dropped, and
  // its first bytes from the MAC header (all of them unless the owner set a
  // truncation length). Without a payload the kernel sends no PROTO.
  uint16_t proto() const noexcept { return proto_; }
  uint32_t orig_len() const noexcept { return orig_len_; }
  ByteView payload() const noexcept { return payload_; }

 private:
  friend struct detail::DropWriter;
  friend class Drop;

  uint32_t present_ = 0;
  uint8_t port_present_ = 0;
  Origin origin_ = Origin::software;
  uint16_t proto_ = 0;
  uint32_t in_ifindex_ = 0;
  uint32_t orig_len_ = 0;
  uint64_t pc_ = 0;
  uint64_t timestamp_ns_ = 0;
  std::string_view symbol_;
  std::string_view reason_;
  std::string_view trap_group_;
  std::string_view trap_name_;
  std::string_view in_port_name_;
  ByteView cookie_;
  ByteView payload_;
};

}  // namespace psample::dropmon
