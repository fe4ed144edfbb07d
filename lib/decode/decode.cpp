// psample-cpp layer 2: decoding psample messages into PacketView / GroupInfo.
#include "psample/decode.hpp"

#include <cstdio>
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

// Each tunnel attribute's accepted payload widths, from tunnel_attributes at
// compile time (its rows are exact, flag, any or nested: one range each).
// The table itself, with its names, stays in attribute_names.cpp.
// A fixed width, or `any_width` for any.
constexpr uint8_t any_width = 0xff;
struct TunnelWidths {
  uint8_t width[tunnel_attr::count];
};
constexpr TunnelWidths make_tunnel_widths() noexcept {
  TunnelWidths w{};
  for (uint16_t a = 0; a < tunnel_attr::count; ++a) {
    const AttributeSpec& spec = tunnel_attributes[a];
    w.width[a] = spec.width == Width::exact || spec.width == Width::flag ? static_cast<uint8_t>(spec.size) : any_width;
  }
  return w;
}
constexpr TunnelWidths tunnel_widths = make_tunnel_widths();
constexpr bool tunnel_widths_are_ranges() noexcept {
  for (const AttributeSpec& spec : tunnel_attributes)
    if (spec.width != Width::exact && spec.width != Width::flag && spec.width != Width::any &&
        spec.width != Width::nested)
      return false;
    else if (spec.size >= any_width)
      return false;
  return true;
}
static_assert(tunnel_widths_are_ranges(), "decode_tunnel() checks each tunnel attribute's width as one range");

// "psample attribute ORIGSIZE (2) is 3 bytes; expected 4", the expectation
// from the attribute's table row. `set` is "" or "tunnel ".
PSAMPLE_COLD Error width_error(const char* set, const AttributeSpec& spec, size_t width) noexcept {
  char expected[64];
  return Error(ErrorCode::malformed, 0, "psample %sattribute %s (%u) is %zu bytes; expected %s", set, spec.name,
               spec.number, width, netlink::describe_width(spec, expected));
}

inline uint16_t load_be16(const uint8_t* p) noexcept { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint64_t load_be64(const uint8_t* p) noexcept {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = value << 8 | p[i];
  return value;
}

}  // namespace

Result<TunnelView> decode_tunnel(ByteView nested) noexcept {
  Result<TunnelView> result{std::in_place};
  TunnelView& tunnel = *result;
  netlink::AttributeReader reader(nested);
  netlink::Attribute attribute;
  while (reader.next(attribute)) {
    const uint16_t type = attribute.type();
    if (type >= tunnel_attr::count) continue;  // unknown: skipped, not marked present
    const ByteView payload = attribute.payload();
    if (tunnel_widths.width[type] != any_width && payload.size() != tunnel_widths.width[type]) {
      result.fail(width_error("tunnel ", tunnel_attr::spec(type), payload.size()));
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

// Every TUNNEL (or 5.8-5.11 numbered GROUP_REFCOUNT) before `end`, in order;
// the first bad one fails `result`. The attributes before `end` are known to
// be well framed: scan() walked them.
bool tunnels_valid(Result<PacketView>& result, ByteView message, uint32_t end) noexcept {
  netlink::AttributeReader reader(message.subview(headers_size, end - headers_size));
  netlink::Attribute attribute;
  while (reader.next(attribute)) {
    const uint16_t type = attribute.type();
    if (type >= attr::count || attr::spec(type).slot() != attr::tunnel) continue;
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
      return result.fail(width_error("", attr::spec(type), load_u16(attribute) - 4u));
    }
    default: break;
  }
  // The message's framing faults are its own; the attributes' are the ones
  // every attribute walk shares (netlink::fault_text), so AttributeReader and
  // this scan say the same for the same fault.
  static const char* const message_faults[] = {
      nullptr,
      "shorter than nlmsghdr + genlmsghdr (20 bytes)",
      "nlmsg_len below 20",
      "nlmsg_len runs past the bytes given",
  };
  using netlink::AttributeFault;
  const char* what = nullptr;
  if (scan.fault == SampleFault::attribute_past_end)
    what = netlink::fault_text(netlink::framing_fault(load_u16(attribute)));
  else if (scan.fault == SampleFault::trailing_bytes)
    what = netlink::fault_text(AttributeFault::trailing_bytes);
  else
    what = message_faults[static_cast<uint32_t>(scan.fault)];
  result.fail(structure_error(what, at));
}

}  // namespace

// The scan is inlined into both decode() entry points when optimizing for
// speed, and kept as one copy when optimizing for size (-Os).
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
#define PSAMPLE_INLINE inline __attribute__((always_inline))
#else
#define PSAMPLE_INLINE inline
#endif

namespace {

// Where the high 32 bits of a uint64_t are in memory.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
constexpr size_t high_half = 0;
#else
constexpr size_t high_half = 4;
#endif

// Reads sample attribute N the way its table row says (sample_ops, known at
// compile time, so each case of scan()'s switch is as tight as a hand-written
// one). False on a width the row does not accept. Numbers past the table are
// unknown attributes: skipped, not marked present.
template <unsigned N>
PSAMPLE_INLINE bool read_attribute(uint64_t* values, uint32_t& present, const uint8_t* base, const uint8_t* payload,
                                   uint32_t width) noexcept {
  using detail::Load;
  if constexpr (N >= attr::count) {
    return true;
  } else {
    constexpr detail::SampleOp op = detail::sample_ops.op[N];
    uint64_t value = 0;
    if constexpr (op.load == Load::u8) {
      if (width != 1) return false;
      value = payload[0];
    } else if constexpr (op.load == Load::u16) {
      if (width != 2) return false;
      value = load_u16(payload);
    } else if constexpr (op.load == Load::u32) {
      if (width != 4) return false;
      value = load_u32(payload);
    } else if constexpr (op.load == Load::u64) {
      if (width != 8) return false;
      value = load_u64(payload);
    } else if constexpr (op.load == Load::u16_or_u32) {
      if (width == 2)
        value = load_u16(payload);
      else if (width == 4)
        value = load_u32(payload);
      else
        return false;
    } else if constexpr (op.load == Load::span || op.load == Load::exact_span) {
      if (op.load == Load::span ? width > op.max_width : width != op.max_width) return false;
      // (offset << 32 | width) as two 32-bit stores: no shift, no or.
      const uint32_t offset = static_cast<uint32_t>(payload - base);
      unsigned char* const slot = reinterpret_cast<unsigned char*>(&values[op.slot]);
      std::memcpy(slot + high_half, &offset, 4);
      std::memcpy(slot + (4 - high_half), &width, 4);
      present |= 1u << op.slot;
      return true;
    } else {
      static_assert(op.load == Load::flag, "sample_ops_valid() admits no other load");
      if (width != 0) return false;
      value = 1;
    }
    values[op.slot] = value;
    present |= 1u << op.slot;
    return true;
  }
}

}  // namespace

// The hot path. Per attribute: one bounds check, one switch on the type,
// one width check; the cases come from the table (read_attribute<N>).
PSAMPLE_INLINE detail::SampleScan detail::SampleWriter::scan(PacketView& view, const uint8_t* base,
                                                             uint32_t total) noexcept {
  uint32_t present = 0;
  uint64_t* const values = view.values_;
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
    // The framing rule every walk shares: one unsigned compare.
    if (!netlink::attribute_fits(length, static_cast<size_t>(left))) {
      fault = SampleFault::attribute_past_end;
      break;
    }
    const ptrdiff_t step = static_cast<ptrdiff_t>((length + 3u) & ~3u);  // to the next header, padding included
    const uint8_t* const payload = attribute + sample_attribute_header;
    uint32_t type = load_u16(attribute + 2);
  dispatch:
    switch (type) {
#define PSAMPLE_READ(N)                                                            \
  case N:                                                                          \
    if (!read_attribute<N>(values, present, base, payload, width)) goto bad_width; \
    break;
#define PSAMPLE_READ8(N) \
  PSAMPLE_READ(N)        \
  PSAMPLE_READ(N + 1)    \
  PSAMPLE_READ(N + 2)    \
  PSAMPLE_READ(N + 3) PSAMPLE_READ(N + 4) PSAMPLE_READ(N + 5) PSAMPLE_READ(N + 6) PSAMPLE_READ(N + 7)
      PSAMPLE_READ8(0)
      PSAMPLE_READ8(8)
      PSAMPLE_READ8(16)
      PSAMPLE_READ8(24)
#undef PSAMPLE_READ8
#undef PSAMPLE_READ
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
  view.message_ = base;
  const uint32_t position = total - sample_attribute_header - static_cast<uint32_t>(left);  // where it stopped
  if (fault != SampleFault::none) return {fault, position};
  if (left > -4) return {SampleFault::trailing_bytes, position};  // 1-3 bytes: not even a header
  if ((present & (1u << attr::tunnel)) != 0) return {SampleFault::tunnel_to_validate, total};
  return {SampleFault::none, 0};
}

namespace {

// The headers: what MessageReader and genl_command() check on the Receiver path.
detail::SampleScan check_headers(ByteView message) noexcept {
  using detail::SampleFault;
  if (message.size() < detail::sample_headers_size) {
    return {SampleFault::shorter_than_headers, static_cast<uint32_t>(message.size())};
  }
  const uint32_t total = load_u32(message.data());
  if (total < detail::sample_headers_size) return {SampleFault::length_below_headers, 0};
  if (total > message.size()) return {SampleFault::length_past_end, 0};
  if (message[detail::sample_command_offset] != static_cast<uint8_t>(Command::sample)) {
    return {SampleFault::not_a_sample, 0};
  }
  return {SampleFault::none, total};
}

}  // namespace

Result<PacketView> decode(ByteView message) noexcept {
  Result<PacketView> result{std::in_place};
  detail::SampleScan scan = check_headers(message);
  if (scan.fault == detail::SampleFault::none) scan = detail::SampleWriter::scan(*result, message.data(), scan.offset);
  if (scan.fault != detail::SampleFault::none) finish(result, message, scan);
  return result;
}

Result<PacketView> decode(const netlink::Message& message, uint32_t sender_port) noexcept {
  Result<PacketView> result{std::in_place};
  const detail::SampleScan scan =
      detail::SampleWriter::scan(*result, message.bytes.data(), static_cast<uint32_t>(message.bytes.size()));
  if (scan.fault != detail::SampleFault::none) finish(result, message.bytes, scan);
  detail::SampleWriter::set_sender_port(*result, sender_port);
  return result;
}

TunnelView detail::tunnel_key(bool present, ByteView nested) noexcept {
  if (!present) return TunnelView();
  auto tunnel = decode_tunnel(nested);
  return tunnel ? *tunnel : TunnelView();
}

TunnelView PacketView::tunnel() const noexcept { return detail::tunnel_key(has_tunnel(), tunnel_attributes()); }

constexpr bool group_attributes_are_u32() noexcept {
  for (const AttributeSpec& spec : group_attributes) {
    if (spec.width != Width::exact || spec.size != 4) return false;
  }
  return true;
}
static_assert(group_attributes_are_u32(), "decode_group() reads every group attribute as a u32");

// Each group attribute number's slot (0: not a group message attribute),
// from group_attributes at compile time.
struct GroupSlots {
  uint16_t slot[16];
};
constexpr GroupSlots make_group_slots() noexcept {
  GroupSlots slots{};
  for (const AttributeSpec& spec : group_attributes) slots.slot[spec.number] = spec.slot();
  return slots;
}
constexpr GroupSlots group_slots = make_group_slots();
static_assert(group_slots.slot[attr::sample_group] != 0 && group_slots.slot[attr::group_seq] != 0,
              "SAMPLE_GROUP and GROUP_SEQ are group attributes");

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
    const uint16_t slot = type < 16 ? group_slots.slot[type] : 0;
    if (slot == 0) continue;  // not a group message attribute: skipped
    if (attribute.payload().size() != 4) {
      // Every row is a u32 (group_attributes_are_u32); 5.8-5.11 numbered GROUP_REFCOUNT 8.
      const AttributeSpec spec{type, slot == attr::group_refcount ? "GROUP_REFCOUNT" : attr::name(type), Width::exact,
                               4};
      result.fail(width_error("", spec, attribute.payload().size()));
      return result;
    }
    const uint32_t value = load_u32(attribute.payload().data());
    switch (slot) {
      case attr::sample_group:
        info.group = value;
        has_group = true;
        break;
      case attr::group_seq:
        info.seq = value;
        info.has_seq = true;
        break;
      default:
        info.refcount = value;
        info.has_refcount = true;
        break;
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
