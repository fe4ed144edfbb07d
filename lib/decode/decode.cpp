// psample-cpp layer 2: decoding psample messages into PacketView / GroupInfo.
#include "psample/decode.hpp"

#include <cstring>

#include "decode/sample_writer.hpp"
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

PSAMPLE_COLD Error bad_width(uint16_t type, size_t width, const char* expected) noexcept {
  return Error(ErrorCode::malformed, 0, "psample attribute %s (%u) is %zu bytes; expected %s", attr::name(type), type,
               width, expected);
}

PSAMPLE_COLD Error bad_tunnel_width(uint16_t type, size_t width, const char* expected) noexcept {
  return Error(ErrorCode::malformed, 0, "psample tunnel attribute %s (%u) is %zu bytes; expected %s",
               tunnel_attr::name(type), type, width, expected);
}

PSAMPLE_COLD Error bad_structure(const char* what, size_t offset) noexcept {
  return Error(ErrorCode::malformed, 0, "malformed psample message: %s (at byte %zu)", what, offset);
}

PSAMPLE_COLD Error not_a_sample(unsigned command) noexcept {
  return Error(ErrorCode::not_a_sample, 0, "psample command %u is not SAMPLE (0)", command);
}

// Checks the nlmsghdr and genlmsghdr; returns the message length or an error.
Result<size_t> check_headers(ByteView message) noexcept {
  if (message.size() < headers_size) {
    return bad_structure("shorter than nlmsghdr + genlmsghdr (20 bytes)", message.size());
  }
  const uint32_t length = load_u32(message.data());
  if (length < headers_size) return bad_structure("nlmsg_len below 20", 0);
  if (length > message.size()) return bad_structure("nlmsg_len runs past the bytes given", 0);
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
  if (reader.failed()) return bad_structure(reader.failure(), reader.failure_offset());
  return tunnel;
}

Result<PacketView> detail::SampleWriter::decode(ByteView message) noexcept {
  auto checked = check_headers(message);
  if (!checked) return checked.error();
  const uint8_t* const base = message.data();
  if (base[netlink::message_header_size] != static_cast<uint8_t>(Command::sample)) {
    return not_a_sample(base[netlink::message_header_size]);
  }

  PacketView view;
  const uint8_t* at = base + headers_size;
  const uint8_t* const end = base + *checked;
  while (at != end) {
    const size_t remaining = static_cast<size_t>(end - at);
    if (remaining < netlink::attribute_header_size) {
      return bad_structure("trailing bytes shorter than an attribute header", static_cast<size_t>(at - base));
    }
    const uint16_t length = load_u16(at);
    const uint16_t type = load_u16(at + 2) & netlink::attribute_type_mask;
    if (length < netlink::attribute_header_size) {
      return bad_structure("attribute length below 4", static_cast<size_t>(at - base));
    }
    if (length > remaining) {
      return bad_structure("attribute length runs past the end of the message", static_cast<size_t>(at - base));
    }
    const uint8_t* const payload = at + netlink::attribute_header_size;
    const size_t width = length - netlink::attribute_header_size;
    const size_t advance = align4(length);
    at = advance < remaining ? at + advance : end;

    switch (type) {
      case attr::iifindex:
      case attr::oifindex: {
        uint32_t index;
        if (width == 2)
          index = load_u16(payload);
        else if (width == 4)
          index = load_u32(payload);
        else
          return bad_width(type, width, "2 or 4");
        (type == attr::iifindex ? view.in_ifindex_ : view.out_ifindex_) = index;
        break;
      }
      case attr::origsize:
        if (width != 4) return bad_width(type, width, "4");
        view.orig_size_ = load_u32(payload);
        break;
      case attr::sample_group:
        if (width != 4) return bad_width(type, width, "4");
        view.group_ = load_u32(payload);
        break;
      case attr::group_seq:
        if (width != 4) return bad_width(type, width, "4");
        view.group_seq_ = load_u32(payload);
        break;
      case attr::sample_rate:
        if (width != 4) return bad_width(type, width, "4");
        view.sample_rate_ = load_u32(payload);
        break;
      case attr::data:
        view.data_ = ByteView(payload, width);
        view.data_length_ = static_cast<uint32_t>(width);
        break;
      case attr::group_refcount:  // in a sample this is the tunnel of kernels 5.8-5.11
      case attr::tunnel: {
        auto tunnel = decode_tunnel(ByteView(payload, width));
        if (!tunnel) return tunnel.error();
        view.tunnel_ = *tunnel;
        view.present_ |= 1u << attr::tunnel;
        continue;
      }
      case attr::pad: break;
      case attr::out_tc:
        if (width != 2) return bad_width(type, width, "2");
        view.out_tc_ = load_u16(payload);
        break;
      case attr::out_tc_occ:
        if (width != 8) return bad_width(type, width, "8");
        view.out_tc_occ_ = load_u64(payload);
        break;
      case attr::latency:
        if (width != 8) return bad_width(type, width, "8");
        view.latency_ = load_u64(payload);
        break;
      case attr::timestamp:
        if (width != 8) return bad_width(type, width, "8");
        view.timestamp_ = load_u64(payload);
        break;
      case attr::proto:
        if (width != 2) return bad_width(type, width, "2");
        view.proto_ = load_u16(payload);
        break;
      case attr::user_cookie:
        if (width > 16) return bad_width(type, width, "at most 16");
        view.user_cookie_ = ByteView(payload, width);
        break;
      case attr::sample_probability:
        if (width != 0) return bad_width(type, width, "0 (a flag)");
        break;
      default: continue;  // unknown attribute: skipped (forward compatible)
    }
    view.present_ |= 1u << type;
  }
  return view;
}

Result<PacketView> decode(ByteView message) noexcept { return detail::SampleWriter::decode(message); }

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
    if (!value) return bad_width(type, attribute.payload().size(), "4");
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
  if (reader.failed()) return bad_structure(reader.failure(), headers_size + reader.failure_offset());
  if (!has_group) return bad_structure("group message without SAMPLE_GROUP", headers_size);
  return info;
}

}  // namespace psample
