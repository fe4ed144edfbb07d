// psample-cpp layer 2, internal: the inline sample decoder behind
// psample::decode(). Inline so that a receive loop compiles into one tight
// loop (no call, no copy); everything cold (error text, tunnel validation)
// stays out of line in the library. Not part of the API: use decode().
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "psample/bytes.hpp"
#include "psample/error.hpp"
#include "psample/netlink/attribute.hpp"
#include "psample/packet_view.hpp"
#include "psample/protocol.hpp"
#include "psample/result.hpp"

namespace psample::detail {

constexpr uint32_t sample_headers_size = 20;     // nlmsghdr + genlmsghdr
constexpr uint32_t sample_command_offset = 16;   // genlmsghdr.cmd
constexpr uint32_t sample_attribute_header = 4;  // struct nlattr

#if defined(__GNUC__)
#define PSAMPLE_DETAIL_COLD __attribute__((cold))
#else
#define PSAMPLE_DETAIL_COLD
#endif

// Out of line, in lib/decode/decode.cpp.
PSAMPLE_DETAIL_COLD Error sample_structure_error(const char* what, size_t offset) noexcept;
PSAMPLE_DETAIL_COLD Error sample_width_error(uint16_t type, size_t width, const char* expected) noexcept;
PSAMPLE_DETAIL_COLD Error sample_command_error(unsigned command) noexcept;
// Validates a TUNNEL payload; on failure turns `result` into the error.
PSAMPLE_DETAIL_COLD bool sample_tunnel_valid(ByteView nested, Result<PacketView>& result) noexcept;

struct SampleWriter {
  // The hot path. One Result is built in place and returned from every exit
  // (no PacketView copy); errors are produced by cold, out-of-line helpers.
  // Per attribute: one bounds check, one switch, one width check.
  static Result<PacketView> decode(ByteView message) noexcept {
    Result<PacketView> result{std::in_place};
    PacketView& view = *result;
    const uint8_t* const base = message.data();
    if (message.size() < sample_headers_size) {
      result.fail(sample_structure_error("shorter than nlmsghdr + genlmsghdr (20 bytes)", message.size()));
      return result;
    }
    const uint32_t total = netlink::load_u32(base);
    if (total < sample_headers_size || total > message.size()) {
      result.fail(sample_structure_error(
          total < sample_headers_size ? "nlmsg_len below 20" : "nlmsg_len runs past the bytes given", 0));
      return result;
    }
    if (base[sample_command_offset] != static_cast<uint8_t>(Command::sample)) {
      result.fail(sample_command_error(base[sample_command_offset]));
      return result;
    }

    uint32_t present = 0;
    uint32_t position = sample_headers_size;  // offsets, not pointers: the padding may step past the end
    const uint32_t last_header = total - sample_attribute_header;  // total >= 20: no wrap
    uint16_t type = 0;
    uint32_t width = 0;
    const char* expected = nullptr;
    while (position <= last_header) {
      const uint8_t* const attribute = base + position;
      const uint32_t length = netlink::load_u16(attribute);
      type = netlink::load_u16(attribute + 2) & netlink::attribute_type_mask;
      // One unsigned compare rejects both length < 4 and length > what is left.
      if (length - 4u > last_header - position) {
        result.fail(sample_structure_error(
            length < 4 ? "attribute length below 4" : "attribute length runs past the end of the message", position));
        return result;
      }
      const uint8_t* const payload = attribute + sample_attribute_header;
      width = length - 4u;
      position += (length + 3u) & ~3u;

      switch (type) {
        case attr::iifindex:
          if (width == 2)
            view.in_ifindex_ = netlink::load_u16(payload);
          else if (width == 4)
            view.in_ifindex_ = netlink::load_u32(payload);
          else {
            expected = "2 or 4";
            goto bad_width_error;
          }
          present |= 1u << attr::iifindex;
          break;
        case attr::oifindex:
          if (width == 2)
            view.out_ifindex_ = netlink::load_u16(payload);
          else if (width == 4)
            view.out_ifindex_ = netlink::load_u32(payload);
          else {
            expected = "2 or 4";
            goto bad_width_error;
          }
          present |= 1u << attr::oifindex;
          break;
        case attr::origsize:
          if (width != 4) {
            expected = "4";
            goto bad_width_error;
          }
          view.orig_size_ = netlink::load_u32(payload);
          present |= 1u << attr::origsize;
          break;
        case attr::sample_group:
          if (width != 4) {
            expected = "4";
            goto bad_width_error;
          }
          view.group_ = netlink::load_u32(payload);
          present |= 1u << attr::sample_group;
          break;
        case attr::group_seq:
          if (width != 4) {
            expected = "4";
            goto bad_width_error;
          }
          view.group_seq_ = netlink::load_u32(payload);
          present |= 1u << attr::group_seq;
          break;
        case attr::sample_rate:
          if (width != 4) {
            expected = "4";
            goto bad_width_error;
          }
          view.sample_rate_ = netlink::load_u32(payload);
          present |= 1u << attr::sample_rate;
          break;
        case attr::data:
          view.data_ = ByteView(payload, width);
          view.data_length_ = width;
          present |= 1u << attr::data;
          break;
        case attr::group_refcount:  // in a sample this is the tunnel of kernels 5.8-5.11
        case attr::tunnel:
          if (!sample_tunnel_valid(ByteView(payload, width), result)) return result;
          view.tunnel_attributes_ = ByteView(payload, width);
          present |= 1u << attr::tunnel;
          break;
        case attr::pad: present |= 1u << attr::pad; break;
        case attr::out_tc:
          if (width != 2) {
            expected = "2";
            goto bad_width_error;
          }
          view.out_tc_ = netlink::load_u16(payload);
          present |= 1u << attr::out_tc;
          break;
        case attr::out_tc_occ:
          if (width != 8) {
            expected = "8";
            goto bad_width_error;
          }
          view.out_tc_occ_ = netlink::load_u64(payload);
          present |= 1u << attr::out_tc_occ;
          break;
        case attr::latency:
          if (width != 8) {
            expected = "8";
            goto bad_width_error;
          }
          view.latency_ = netlink::load_u64(payload);
          present |= 1u << attr::latency;
          break;
        case attr::timestamp:
          if (width != 8) {
            expected = "8";
            goto bad_width_error;
          }
          view.timestamp_ = netlink::load_u64(payload);
          present |= 1u << attr::timestamp;
          break;
        case attr::proto:
          if (width != 2) {
            expected = "2";
            goto bad_width_error;
          }
          view.proto_ = netlink::load_u16(payload);
          present |= 1u << attr::proto;
          break;
        case attr::user_cookie:
          if (width > 16) {
            expected = "at most 16";
            goto bad_width_error;
          }
          view.user_cookie_ = ByteView(payload, width);
          present |= 1u << attr::user_cookie;
          break;
        case attr::sample_probability:
          if (width != 0) {
            expected = "0 (a flag)";
            goto bad_width_error;
          }
          present |= 1u << attr::sample_probability;
          break;
        default: break;  // unknown attribute: skipped (forward compatible)
      }
    }
    if (position < total) {  // 1-3 bytes left: not even an attribute header
      result.fail(sample_structure_error("trailing bytes shorter than an attribute header", position));
      return result;
    }
    view.present_ = present;
    return result;

  bad_width_error:
    result.fail(sample_width_error(type, width, expected));
    return result;
  }

  static void set_sender_port(PacketView& view, uint32_t port) noexcept { view.sender_port_ = port; }
};

}  // namespace psample::detail
