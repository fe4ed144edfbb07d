// psample-cpp layer 2: the psample generic netlink protocol (include/uapi/linux/psample.h,
// net/psample/psample.c, kernels up to 6.12): its names, numbers, and one table
// per attribute set saying how wide each attribute is: plain data over the
// netlink layer's rule vocabulary (psample/netlink/attribute_rules.hpp).
//
// The tables are what the decoder validates against, what error messages and
// tools name attributes from, and what a new attribute is added to (README:
// "Adding an attribute").
#pragma once

#include <cstddef>
#include <cstdint>

#include "psample/export.hpp"
#include "psample/netlink/attribute_rules.hpp"

namespace psample {

constexpr const char* family_name = "psample";
constexpr const char* packets_group_name = "packets";
constexpr const char* config_group_name = "config";

// Commands (genlmsghdr.cmd).
enum class Command : uint8_t {
  sample = 0,     // one sampled packet (multicast on "packets")
  get_group = 1,  // dump request; replies come as new_group
  new_group = 2,  // group created (multicast on "config") or dump reply
  del_group = 3,  // group destroyed (multicast on "config")
};

// The rule vocabulary is the netlink layer's (psample/netlink/attribute_rules.hpp).
using netlink::AttributeSpec;
using netlink::find_attribute;
using netlink::Width;

// Sample attributes (PSAMPLE_ATTR_*), the set of PSAMPLE_CMD_SAMPLE.
namespace attr {
constexpr uint16_t iifindex = 0;             // u16 from the kernel, u32 from user-space producers
constexpr uint16_t oifindex = 1;             // same
constexpr uint16_t origsize = 2;             // u32, skb->len
constexpr uint16_t sample_group = 3;         // u32
constexpr uint16_t group_seq = 4;            // u32, per-group counter
constexpr uint16_t sample_rate = 5;          // u32, 1-in-N (a probability with sample_probability)
constexpr uint16_t data = 6;                 // bytes
constexpr uint16_t group_refcount = 7;       // u32 in group messages; in samples of 5.8-5.11, the tunnel
constexpr uint16_t tunnel = 8;               // nested tunnel key
constexpr uint16_t pad = 9;                  // alignment padding
constexpr uint16_t out_tc = 10;              // u16
constexpr uint16_t out_tc_occ = 11;          // u64, bytes
constexpr uint16_t latency = 12;             // u64, ns
constexpr uint16_t timestamp = 13;           // u64, ns, CLOCK_REALTIME
constexpr uint16_t proto = 14;               // u16 ethertype, host order
constexpr uint16_t user_cookie = 15;         // bytes, at most 16 (6.11+)
constexpr uint16_t sample_probability = 16;  // flag (6.11+)
constexpr uint16_t count = 17;
// A short name such as "ORIGSIZE", or "unknown".
PSAMPLE_API const char* name(uint16_t attribute) noexcept;
// The attribute's row of sample_attributes (attribute < count). One copy of
// the table, names and all, serves the library's run-time checks.
PSAMPLE_API const AttributeSpec& spec(uint16_t attribute) noexcept;
}  // namespace attr

// One row per sample attribute, in number order. Values are host order.
inline constexpr AttributeSpec sample_attributes[] = {
    {attr::iifindex, "IIFINDEX", Width::either, 2, 4},
    {attr::oifindex, "OIFINDEX", Width::either, 2, 4},
    {attr::origsize, "ORIGSIZE", Width::exact, 4},
    {attr::sample_group, "SAMPLE_GROUP", Width::exact, 4},
    {attr::group_seq, "GROUP_SEQ", Width::exact, 4},
    {attr::sample_rate, "SAMPLE_RATE", Width::exact, 4},
    {attr::data, "DATA", Width::any},
    {attr::group_refcount, "GROUP_REFCOUNT", Width::nested, 0, 0, attr::tunnel},
    {attr::tunnel, "TUNNEL", Width::nested},
    {attr::pad, "PAD", Width::any},
    {attr::out_tc, "OUT_TC", Width::exact, 2},
    {attr::out_tc_occ, "OUT_TC_OCC", Width::exact, 8},
    {attr::latency, "LATENCY", Width::exact, 8},
    {attr::timestamp, "TIMESTAMP", Width::exact, 8},
    {attr::proto, "PROTO", Width::exact, 2},
    {attr::user_cookie, "USER_COOKIE", Width::at_most, 16},
    {attr::sample_probability, "SAMPLE_PROBABILITY", Width::flag},
};

// Group message attributes (NEW_GROUP, DEL_GROUP, GET_GROUP replies): the
// same numbering, fewer of them.
inline constexpr AttributeSpec group_attributes[] = {
    {attr::sample_group, "SAMPLE_GROUP", Width::exact, 4},
    {attr::group_seq, "GROUP_SEQ", Width::exact, 4},
    {attr::group_refcount, "GROUP_REFCOUNT", Width::exact, 4},
    // Kernels 5.8-5.11 numbered GROUP_REFCOUNT 8; group messages never carry a tunnel.
    {attr::tunnel, "GROUP_REFCOUNT", Width::exact, 4, 0, attr::group_refcount},
};

// Tunnel key attributes, nested in attr::tunnel (PSAMPLE_TUNNEL_KEY_ATTR_*).
namespace tunnel_attr {
constexpr uint16_t id = 0;             // be64
constexpr uint16_t ipv4_src = 1;       // be32
constexpr uint16_t ipv4_dst = 2;       // be32
constexpr uint16_t tos = 3;            // u8
constexpr uint16_t ttl = 4;            // u8
constexpr uint16_t dont_fragment = 5;  // flag
constexpr uint16_t csum = 6;           // flag
constexpr uint16_t oam = 7;            // flag
constexpr uint16_t geneve_opts = 8;    // bytes
constexpr uint16_t tp_src = 9;         // be16
constexpr uint16_t tp_dst = 10;        // be16
constexpr uint16_t vxlan_opts = 11;    // nested
constexpr uint16_t ipv6_src = 12;      // 16 bytes
constexpr uint16_t ipv6_dst = 13;      // 16 bytes
constexpr uint16_t pad = 14;
constexpr uint16_t erspan_opts = 15;       // struct erspan_metadata
constexpr uint16_t ipv4_info_bridge = 16;  // flag
constexpr uint16_t count = 17;
PSAMPLE_API const char* name(uint16_t attribute) noexcept;
// The attribute's row of tunnel_attributes (attribute < count).
PSAMPLE_API const AttributeSpec& spec(uint16_t attribute) noexcept;
}  // namespace tunnel_attr

// One row per tunnel key attribute, in number order (net/psample/psample.c,
// psample_tunnel_meta_len()).
inline constexpr AttributeSpec tunnel_attributes[] = {
    {tunnel_attr::id, "ID", Width::exact, 8},
    {tunnel_attr::ipv4_src, "IPV4_SRC", Width::exact, 4},
    {tunnel_attr::ipv4_dst, "IPV4_DST", Width::exact, 4},
    {tunnel_attr::tos, "TOS", Width::exact, 1},
    {tunnel_attr::ttl, "TTL", Width::exact, 1},
    {tunnel_attr::dont_fragment, "DONT_FRAGMENT", Width::flag},
    {tunnel_attr::csum, "CSUM", Width::flag},
    {tunnel_attr::oam, "OAM", Width::flag},
    {tunnel_attr::geneve_opts, "GENEVE_OPTS", Width::any},
    {tunnel_attr::tp_src, "TP_SRC", Width::exact, 2},
    {tunnel_attr::tp_dst, "TP_DST", Width::exact, 2},
    {tunnel_attr::vxlan_opts, "VXLAN_OPTS", Width::nested},
    {tunnel_attr::ipv6_src, "IPV6_SRC", Width::exact, 16},
    {tunnel_attr::ipv6_dst, "IPV6_DST", Width::exact, 16},
    {tunnel_attr::pad, "PAD", Width::any},
    {tunnel_attr::erspan_opts, "ERSPAN_OPTS", Width::any},
    {tunnel_attr::ipv4_info_bridge, "IPV4_INFO_BRIDGE", Width::flag},
};

namespace detail {
using netlink::detail::rows_in_number_order;
}  // namespace detail

static_assert(sizeof(sample_attributes) / sizeof(AttributeSpec) == attr::count,
              "one row per sample attribute: add the row with the attr:: constant");
static_assert(detail::rows_in_number_order(sample_attributes), "sample_attributes: row i must be attribute i");
static_assert(attr::count <= 32, "SampleFields keeps presence in 32 bits");
static_assert(sizeof(tunnel_attributes) / sizeof(AttributeSpec) == tunnel_attr::count,
              "one row per tunnel key attribute");
static_assert(detail::rows_in_number_order(tunnel_attributes), "tunnel_attributes: row i must be attribute i");

// The largest datagram one sample can need: nlmsghdr + genlmsghdr + all
// attributes + 65,535 bytes of DATA (65,555 bytes), rounded up.
constexpr size_t max_sample_datagram = 65556;

}  // namespace psample
