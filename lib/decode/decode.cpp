// psample-cpp layer 2: decoding psample messages into PacketView / GroupInfo.
#include "psample/decode.hpp"

#include <cstring>

#include "psample/netlink/attribute.hpp"
#include "psample/netlink/message.hpp"

namespace psample {

namespace {

using netlink::align4;
using netlink::load_u16;
using netlink::load_u32;
using netlink::load_u64;

constexpr size_t headers_size = netlink::message_header_size + netlink::genl_header_size;

#if defined(__GNUC__)
#define PSAMPLE_COLD __attribute__((cold, noinline))
#else
#define PSAMPLE_COLD
#endif

PSAMPLE_COLD Error bad_tunnel_width(uint16_t type, size_t width, const char* expected) noexcept {
  return Error(ErrorCode::malformed, 0, "psample tunnel attribute %s (%u) is %zu bytes; expected %s",
               tunnel_attr::name(type), type, width, expected);
}

// Checks the nlmsghdr and genlmsghdr; returns the message length or an error.
Result<size_t> check_headers(ByteView message) noexcept {
  if (message.size() < headers_size) {
    return detail::sample_structure_error("shorter than nlmsghdr + genlmsghdr (20 bytes)", message.size());
  }
  const uint32_t length = load_u32(message.data());
  if (length < headers_size) return detail::sample_structure_error("nlmsg_len below 20", 0);
  if (length > message.size()) return detail::sample_structure_error("nlmsg_len runs past the bytes given", 0);
  return static_cast<size_t>(length);
}

inline uint16_t load_be16(const uint8_t* p) noexcept { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint64_t load_be64(const uint8_t* p) noexcept {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = value << 8 | p[i];
  return value;
}

}  // namespace

Result<TunnelView> decode_tunnel(ByteView nested) noexcept {
  TunnelView tunnel;
  netlink::AttributeReader reader(nested);
  netlink::Attribute attribute;
  while (reader.next(attribute)) {
    const uint16_t type = attribute.type();
    const ByteView payload = attribute.payload();
    const size_t width = payload.size();
    switch (type) {
      case tunnel_attr::id:
        if (width != 8) return bad_tunnel_width(type, width, "8");
        tunnel.id = load_be64(payload.data());
        break;
      case tunnel_attr::ipv4_src:
      case tunnel_attr::ipv4_dst:
        if (width != 4) return bad_tunnel_width(type, width, "4");
        std::memcpy(type == tunnel_attr::ipv4_src ? tunnel.ipv4_src : tunnel.ipv4_dst, payload.data(), 4);
        break;
      case tunnel_attr::ipv6_src:
      case tunnel_attr::ipv6_dst:
        if (width != 16) return bad_tunnel_width(type, width, "16");
        std::memcpy(type == tunnel_attr::ipv6_src ? tunnel.ipv6_src : tunnel.ipv6_dst, payload.data(), 16);
        break;
      case tunnel_attr::tos:
      case tunnel_attr::ttl:
        if (width != 1) return bad_tunnel_width(type, width, "1");
        (type == tunnel_attr::tos ? tunnel.tos : tunnel.ttl) = payload[0];
        break;
      case tunnel_attr::dont_fragment:
      case tunnel_attr::csum:
      case tunnel_attr::oam:
      case tunnel_attr::ipv4_info_bridge:
        if (width != 0) return bad_tunnel_width(type, width, "0 (a flag)");
        break;
      case tunnel_attr::tp_src:
      case tunnel_attr::tp_dst:
        if (width != 2) return bad_tunnel_width(type, width, "2");
        (type == tunnel_attr::tp_src ? tunnel.tp_src : tunnel.tp_dst) = load_be16(payload.data());
        break;
      case tunnel_attr::geneve_opts: tunnel.geneve_opts = payload; break;
      case tunnel_attr::vxlan_opts: tunnel.vxlan_opts = payload; break;
      case tunnel_attr::erspan_opts: tunnel.erspan_opts = payload; break;
      case tunnel_attr::pad: break;
      default: continue;  // unknown: skipped, not marked present
    }
    tunnel.present |= 1u << type;
  }
  if (reader.failed()) return detail::sample_structure_error(reader.failure(), reader.failure_offset());
  return tunnel;
}

Error detail::sample_structure_error(const char* what, size_t offset) noexcept {
  return Error(ErrorCode::malformed, 0, "malformed psample message: %s (at byte %zu)", what, offset);
}
Error detail::sample_width_error(uint16_t type, size_t width, const char* expected) noexcept {
  return Error(ErrorCode::malformed, 0, "psample attribute %s (%u) is %zu bytes; expected %s", attr::name(type), type,
               width, expected);
}
Error detail::sample_command_error(unsigned command) noexcept {
  return Error(ErrorCode::not_a_sample, 0, "psample command %u is not SAMPLE (0)", command);
}
bool detail::sample_tunnel_valid(ByteView nested, Result<PacketView>& result) noexcept {
  auto tunnel = decode_tunnel(nested);
  if (tunnel) return true;
  result.fail(tunnel.error());
  return false;
}

TunnelView PacketView::tunnel() const noexcept {
  if (!has_tunnel()) return TunnelView();
  auto tunnel = decode_tunnel(tunnel_attributes_);
  return tunnel ? *tunnel : TunnelView();
}

Result<GroupInfo> decode_group(ByteView message) noexcept {
  auto checked = check_headers(message);
  if (!checked) return checked.error();
  const uint8_t command = message[netlink::message_header_size];
  if (command != static_cast<uint8_t>(Command::new_group) && command != static_cast<uint8_t>(Command::del_group)) {
    return Error(ErrorCode::invalid_argument, 0, "psample command %u is not NEW_GROUP (2) or DEL_GROUP (3)", command);
  }
  GroupInfo info;
  info.command = static_cast<Command>(command);
  bool has_group = false;
  netlink::AttributeReader reader(message.subview(headers_size, *checked - headers_size));
  netlink::Attribute attribute;
  while (reader.next(attribute)) {
    const uint16_t type = attribute.type();
    if (type != attr::sample_group && type != attr::group_seq && type != attr::group_refcount && type != attr::tunnel) {
      continue;
    }
    // Kernels 5.8-5.11 numbered GROUP_REFCOUNT 8 (today's TUNNEL); group messages never carry a tunnel.
    auto value = attribute.as_u32();
    if (!value) return detail::sample_width_error(type, attribute.payload().size(), "4");
    if (type == attr::sample_group) {
      info.group = *value;
      has_group = true;
    } else if (type == attr::group_seq) {
      info.seq = *value;
      info.has_seq = true;
    } else {
      info.refcount = *value;
      info.has_refcount = true;
    }
  }
  if (reader.failed()) return detail::sample_structure_error(reader.failure(), headers_size + reader.failure_offset());
  if (!has_group) return detail::sample_structure_error("group message without SAMPLE_GROUP", headers_size);
  return info;
}

}  // namespace psample
