// psample-cpp layer 2: decoding psample messages into PacketView / GroupInfo.
#include "psample/decode.hpp"

#include <cstring>

#include "decode/sample_writer.hpp"
#include "decode/tunnel_key.hpp"
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

PSAMPLE_COLD Error structure_error(const char* what, size_t offset) noexcept {
  return Error(ErrorCode::malformed, 0, "malformed psample message: %s (at byte %zu)", what, offset);
}
PSAMPLE_COLD Error width_error(uint16_t type, size_t width, const char* expected) noexcept {
  return Error(ErrorCode::malformed, 0, "psample attribute %s (%u) is %zu bytes; expected %s", attr::name(type), type,
               width, expected);
}

inline uint16_t load_be16(const uint8_t* p) noexcept { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint64_t load_be64(const uint8_t* p) noexcept {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = value << 8 | p[i];
  return value;
}

}  // namespace

// The width of each tunnel key attribute, in bytes; any_width for options.
constexpr uint8_t any_width = 0xff;
constexpr uint8_t tunnel_widths[tunnel_attr::count] = {
    8,          // id
    4,          // ipv4_src
    4,          // ipv4_dst
    1,          // tos
    1,          // ttl
    0,          // dont_fragment
    0,          // csum
    0,          // oam
    any_width,  // geneve_opts
    2,          // tp_src
    2,          // tp_dst
    any_width,  // vxlan_opts
    16,         // ipv6_src
    16,         // ipv6_dst
    any_width,  // pad
    any_width,  // erspan_opts
    0,          // ipv4_info_bridge
};

Result<TunnelView> decode_tunnel(ByteView nested) noexcept {
  Result<TunnelView> result{std::in_place};
  TunnelView& tunnel = *result;
  netlink::AttributeReader reader(nested);
  netlink::Attribute attribute;
  while (reader.next(attribute)) {
    const uint16_t type = attribute.type();
    if (type >= tunnel_attr::count) continue;  // unknown: skipped, not marked present
    const ByteView payload = attribute.payload();
    const uint8_t width = tunnel_widths[type];
    if (width != any_width && payload.size() != width) {
      result.fail(Error(ErrorCode::malformed, 0, "psample tunnel attribute %s (%u) is %zu bytes; expected %u%s",
                        tunnel_attr::name(type), type, payload.size(), width, width == 0 ? " (a flag)" : ""));
      return result;
    }
    const uint8_t* const value = payload.data();
    switch (type) {
      case tunnel_attr::id: tunnel.id = load_be64(value); break;
      case tunnel_attr::ipv4_src: std::memcpy(tunnel.ipv4_src, value, 4); break;
      case tunnel_attr::ipv4_dst: std::memcpy(tunnel.ipv4_dst, value, 4); break;
      case tunnel_attr::ipv6_src: std::memcpy(tunnel.ipv6_src, value, 16); break;
      case tunnel_attr::ipv6_dst: std::memcpy(tunnel.ipv6_dst, value, 16); break;
      case tunnel_attr::tos: tunnel.tos = value[0]; break;
      case tunnel_attr::ttl: tunnel.ttl = value[0]; break;
      case tunnel_attr::tp_src: tunnel.tp_src = load_be16(value); break;
      case tunnel_attr::tp_dst: tunnel.tp_dst = load_be16(value); break;
      case tunnel_attr::geneve_opts: tunnel.geneve_opts = payload; break;
      case tunnel_attr::vxlan_opts: tunnel.vxlan_opts = payload; break;
      case tunnel_attr::erspan_opts: tunnel.erspan_opts = payload; break;
      default: break;  // flags and pad: presence only
    }
    tunnel.present |= 1u << type;
  }
  if (reader.failed()) result.fail(structure_error(reader.failure(), reader.failure_offset()));
  return result;
}

namespace {

// The width a known sample attribute must have, for the error text.
const char* expected_width(uint16_t type) noexcept {
  switch (type) {
    case attr::iifindex:
    case attr::oifindex: return "2 or 4";
    case attr::out_tc:
    case attr::proto: return "2";
    case attr::out_tc_occ:
    case attr::latency:
    case attr::timestamp: return "8";
    case attr::user_cookie: return "at most 16";
    case attr::sample_probability: return "0 (a flag)";
    default: return "4";
  }
}

// Every TUNNEL (or 5.8-5.11 numbered GROUP_REFCOUNT) before `end`, in order;
// the first bad one fails `result`. The attributes before `end` are known to
// be well framed: scan() walked them.
bool tunnels_valid(Result<PacketView>& result, ByteView message, uint32_t end) noexcept {
  netlink::AttributeReader reader(message.subview(headers_size, end - headers_size));
  netlink::Attribute attribute;
  while (reader.next(attribute)) {
    if (attribute.type() != attr::tunnel && attribute.type() != attr::group_refcount) continue;
    auto tunnel = decode_tunnel(attribute.payload());
    if (!tunnel) {
      result.fail(tunnel.error());
      return false;
    }
  }
  return true;
}

// Turns scan()'s stop into the caller's Error; validates tunnel keys.
PSAMPLE_COLD void finish(Result<PacketView>& result, ByteView message, detail::SampleScan scan) noexcept {
  using detail::SampleFault;
  const uint32_t at = scan.offset;
  if (result->has_tunnel() && !tunnels_valid(result, message, at)) return;
  const uint8_t* const attribute = message.data() + at;
  switch (scan.fault) {
    case SampleFault::none:
    case SampleFault::tunnel_to_validate: return;
    case SampleFault::not_a_sample:
      return result.fail(Error(ErrorCode::not_a_sample, 0, "psample command %u is not SAMPLE (0)",
                               message[detail::sample_command_offset]));
    case SampleFault::attribute_width: {
      const uint16_t type = load_u16(attribute + 2) & netlink::attribute_type_mask;
      return result.fail(width_error(type, load_u16(attribute) - 4u, expected_width(type)));
    }
    default: break;
  }
  static const char* const structure_faults[] = {
      nullptr,
      "shorter than nlmsghdr + genlmsghdr (20 bytes)",
      "nlmsg_len below 20",
      "nlmsg_len runs past the bytes given",
      nullptr,
      "attribute length runs past the end of the message",
      nullptr,
      "trailing bytes shorter than an attribute header",
  };
  const char* what = structure_faults[static_cast<uint32_t>(scan.fault)];
  if (scan.fault == SampleFault::attribute_past_end && load_u16(attribute) < 4) what = "attribute length below 4";
  result.fail(structure_error(what, at));
}

}  // namespace

// The hot path. Per attribute: one bounds check, one switch, one width check.
detail::SampleScan detail::SampleWriter::scan(PacketView& view, ByteView message) noexcept {
  const uint8_t* const base = message.data();
  if (message.size() < sample_headers_size) {
    return {SampleFault::shorter_than_headers, static_cast<uint32_t>(message.size())};
  }
  const uint32_t total = load_u32(base);
  if (total < sample_headers_size) return {SampleFault::length_below_headers, 0};
  if (total > message.size()) return {SampleFault::length_past_end, 0};
  if (base[sample_command_offset] != static_cast<uint8_t>(Command::sample)) return {SampleFault::not_a_sample, 0};

  uint32_t present = 0;
  // `left` counts the bytes after the current attribute's header up to
  // nlmsg_len; it goes negative once not even a header fits (the last
  // attribute's padding may step past nlmsg_len).
  // `attribute` only moves while a header fits, so it never leaves the message.
  ptrdiff_t left =
      static_cast<ptrdiff_t>(total) - static_cast<ptrdiff_t>(sample_headers_size + sample_attribute_header);
  const uint8_t* attribute = base + sample_headers_size;
  SampleFault fault = SampleFault::none;
  while (left >= 0) {
    const uint32_t length = load_u16(attribute);
    const uint32_t width = length - 4u;
    // One unsigned compare rejects both length < 4 (wraps) and length > what is left.
    if (width > static_cast<size_t>(left)) {
      fault = SampleFault::attribute_past_end;
      break;
    }
    const ptrdiff_t step = static_cast<ptrdiff_t>((length + 3u) & ~3u);  // to the next header, padding included
    const uint8_t* const payload = attribute + sample_attribute_header;
    uint32_t type = load_u16(attribute + 2);
  dispatch:
    switch (type) {
      case attr::iifindex:
        if (width == 2)
          view.in_ifindex_ = load_u16(payload);
        else if (width == 4)
          view.in_ifindex_ = load_u32(payload);
        else
          goto bad_width;
        present |= 1u << attr::iifindex;
        break;
      case attr::oifindex:
        if (width == 2)
          view.out_ifindex_ = load_u16(payload);
        else if (width == 4)
          view.out_ifindex_ = load_u32(payload);
        else
          goto bad_width;
        present |= 1u << attr::oifindex;
        break;
      case attr::origsize:
        if (width != 4) goto bad_width;
        view.orig_size_ = load_u32(payload);
        present |= 1u << attr::origsize;
        break;
      case attr::sample_group:
        if (width != 4) goto bad_width;
        view.group_ = load_u32(payload);
        present |= 1u << attr::sample_group;
        break;
      case attr::group_seq:
        if (width != 4) goto bad_width;
        view.group_seq_ = load_u32(payload);
        present |= 1u << attr::group_seq;
        break;
      case attr::sample_rate:
        if (width != 4) goto bad_width;
        view.sample_rate_ = load_u32(payload);
        present |= 1u << attr::sample_rate;
        break;
      case attr::data:
        view.data_ = ByteView(payload, width);
        view.data_length_ = width;
        present |= 1u << attr::data;
        break;
      case attr::group_refcount:  // in a sample this is the tunnel of kernels 5.8-5.11
      case attr::tunnel:          // validated by finish()
        view.tunnel_attributes_ = ByteView(payload, width);
        present |= 1u << attr::tunnel;
        break;
      case attr::pad: present |= 1u << attr::pad; break;
      case attr::out_tc:
        if (width != 2) goto bad_width;
        view.out_tc_ = load_u16(payload);
        present |= 1u << attr::out_tc;
        break;
      case attr::out_tc_occ:
        if (width != 8) goto bad_width;
        view.out_tc_occ_ = load_u64(payload);
        present |= 1u << attr::out_tc_occ;
        break;
      case attr::latency:
        if (width != 8) goto bad_width;
        view.latency_ = load_u64(payload);
        present |= 1u << attr::latency;
        break;
      case attr::timestamp:
        if (width != 8) goto bad_width;
        view.timestamp_ = load_u64(payload);
        present |= 1u << attr::timestamp;
        break;
      case attr::proto:
        if (width != 2) goto bad_width;
        view.proto_ = load_u16(payload);
        present |= 1u << attr::proto;
        break;
      case attr::user_cookie:
        if (width > 16) goto bad_width;
        view.user_cookie_ = ByteView(payload, width);
        present |= 1u << attr::user_cookie;
        break;
      case attr::sample_probability:
        if (width != 0) goto bad_width;
        present |= 1u << attr::sample_probability;
        break;
      default:
        // NLA_F_NESTED / NLA_F_NET_BYTEORDER set: dispatch on the bare type.
        if (type > netlink::attribute_type_mask) {
          type &= netlink::attribute_type_mask;
          goto dispatch;
        }
        break;  // unknown attribute: skipped (forward compatible)
    }
    left -= step;
    if (left >= 0) attribute += step;
    continue;
  bad_width:
    fault = SampleFault::attribute_width;
    break;
  }
  view.present_ = present;
  const uint32_t position = total - sample_attribute_header - static_cast<uint32_t>(left);  // where it stopped
  if (fault != SampleFault::none) return {fault, position};
  if (left > -4) return {SampleFault::trailing_bytes, position};  // 1-3 bytes: not even a header
  if ((present & (1u << attr::tunnel)) != 0) return {SampleFault::tunnel_to_validate, total};
  return {SampleFault::none, 0};
}

Result<PacketView> decode(ByteView message) noexcept {
  Result<PacketView> result{std::in_place};
  const detail::SampleScan scan = detail::SampleWriter::scan(*result, message);
  if (scan.fault != detail::SampleFault::none) finish(result, message, scan);
  return result;
}

TunnelView detail::tunnel_key(bool present, ByteView nested) noexcept {
  if (!present) return TunnelView();
  auto tunnel = decode_tunnel(nested);
  return tunnel ? *tunnel : TunnelView();
}

TunnelView PacketView::tunnel() const noexcept { return detail::tunnel_key(has_tunnel(), tunnel_attributes_); }

Result<GroupInfo> decode_group(ByteView message) noexcept {
  Result<GroupInfo> result{std::in_place};
  GroupInfo& info = *result;
  const uint32_t length = message.size() < headers_size ? 0 : load_u32(message.data());
  const char* problem = nullptr;
  size_t at = 0;
  if (message.size() < headers_size) {
    problem = "shorter than nlmsghdr + genlmsghdr (20 bytes)";
    at = message.size();
  } else if (length < headers_size) {
    problem = "nlmsg_len below 20";
  } else if (length > message.size()) {
    problem = "nlmsg_len runs past the bytes given";
  }
  if (problem != nullptr) {
    result.fail(structure_error(problem, at));
    return result;
  }
  const uint8_t command = message[netlink::message_header_size];
  if (command != static_cast<uint8_t>(Command::new_group) && command != static_cast<uint8_t>(Command::del_group)) {
    result.fail(
        Error(ErrorCode::invalid_argument, 0, "psample command %u is not NEW_GROUP (2) or DEL_GROUP (3)", command));
    return result;
  }
  info.command = static_cast<Command>(command);
  bool has_group = false;
  netlink::AttributeReader reader(message.subview(headers_size, length - headers_size));
  netlink::Attribute attribute;
  while (reader.next(attribute)) {
    const uint16_t type = attribute.type();
    if (type != attr::sample_group && type != attr::group_seq && type != attr::group_refcount && type != attr::tunnel) {
      continue;
    }
    // Kernels 5.8-5.11 numbered GROUP_REFCOUNT 8 (today's TUNNEL); group messages never carry a tunnel.
    auto value = attribute.as_u32();
    if (!value) {
      result.fail(width_error(type, attribute.payload().size(), "4"));
      return result;
    }
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
  if (reader.failed()) {
    result.fail(structure_error(reader.failure(), headers_size + reader.failure_offset()));
  } else if (!has_group) {
    result.fail(structure_error("group message without SAMPLE_GROUP", headers_size));
  }
  return result;
}

}  // namespace psample
