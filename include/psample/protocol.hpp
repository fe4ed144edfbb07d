// psample-cpp layer 2: the psample generic netlink protocol's numbers
// (include/uapi/linux/psample.h, kernels up to 6.12).
#pragma once

#include <cstddef>
#include <cstdint>

#include "psample/export.hpp"

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

// Top-level attributes (PSAMPLE_ATTR_*).
namespace attr {
constexpr uint16_t iifindex = 0;             // u16 from the kernel, u32 from user-space producers
constexpr uint16_t oifindex = 1;             // same
constexpr uint16_t origsize = 2;             // u32, skb->len
constexpr uint16_t sample_group = 3;         // u32
constexpr uint16_t group_seq = 4;            // u32, per-group counter
constexpr uint16_t sample_rate = 5;          // u32, 1-in-N (a probability with sample_probability)
constexpr uint16_t data = 6;                 // bytes
constexpr uint16_t group_refcount = 7;       // u32, group messages only
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
}  // namespace attr

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
}  // namespace tunnel_attr

// The largest datagram one sample can need: nlmsghdr + genlmsghdr + all
// attributes + 65,535 bytes of DATA (DESIGN.md: 65,555), rounded up.
constexpr size_t max_sample_datagram = 65556;

}  // namespace psample
