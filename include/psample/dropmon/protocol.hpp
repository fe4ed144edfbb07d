// psample-cpp drop monitor, layer 2: the kernel's drop monitor protocol
// (include/uapi/linux/net_dropmon.h, net/core/drop_monitor.c, kernels up to
// 6.12): its names, numbers, and one table per attribute set saying how wide
// each attribute is, in the netlink layer's rule vocabulary
// (psample/netlink/attribute_rules.hpp), as psample's are in psample/protocol.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "psample/netlink/attribute_rules.hpp"

namespace psample::dropmon {

constexpr const char* family_name = "NET_DM";
constexpr const char* events_group_name = "events";
constexpr uint8_t family_version = 2;

// Commands (genlmsghdr.cmd).
enum class Command : uint8_t {
  alert = 1,         // summary mode: (location, count) pairs, or hardware (trap, count) pairs; multicast
  config = 2,        // request: ALERT_MODE, TRUNC_LEN, QUEUE_LEN (EBUSY while monitoring)
  start = 3,         // request: SW_DROPS and/or HW_DROPS (neither: software)
  stop = 4,          // request: the same flags
  packet_alert = 5,  // packet mode: one dropped packet; multicast
  config_get = 6,    // request; answered by config_new
  config_new = 7,    // ALERT_MODE, TRUNC_LEN, QUEUE_LEN
  stats_get = 8,     // request; answered by stats_new
  stats_new = 9,     // STATS and HW_STATS, each nesting DROPPED
};

// How the kernel reports drops (NET_DM_ATTR_ALERT_MODE).
enum class AlertMode : uint8_t {
  summary = 0,  // the kernel's default: counts per drop location, about once a second
  packet = 1,   // one PACKET_ALERT per dropped packet, with its bytes
};

// Where a drop happened (NET_DM_ATTR_ORIGIN).
enum class Origin : uint16_t {
  software = 0,  // the kernel freed the packet (kfree_skb with a drop reason)
  hardware = 1,  // a device dropped it and trapped it to the CPU (devlink trap, action "trap")
};

using netlink::AttributeSpec;
using netlink::Width;

// Attributes (NET_DM_ATTR_*): one set for every command.
namespace attr {
constexpr uint16_t unspec = 0;               // ALERT's struct net_dm_alert_msg
constexpr uint16_t alert_mode = 1;           // u8
constexpr uint16_t pc = 2;                   // u64, the dropping code's address
constexpr uint16_t symbol = 3;               // string, "function+0x1f/0x80"
constexpr uint16_t in_port = 4;              // nested port attributes
constexpr uint16_t timestamp = 5;            // u64, ns, CLOCK_REALTIME
constexpr uint16_t proto = 6;                // u16 ethertype, host order
constexpr uint16_t payload = 7;              // bytes, from the MAC header
constexpr uint16_t pad = 8;                  // alignment padding
constexpr uint16_t trunc_len = 9;            // u32
constexpr uint16_t orig_len = 10;            // u32
constexpr uint16_t queue_len = 11;           // u32
constexpr uint16_t stats = 12;               // nested stats attributes (software)
constexpr uint16_t hw_stats = 13;            // nested stats attributes (hardware)
constexpr uint16_t origin = 14;              // u16
constexpr uint16_t hw_trap_group_name = 15;  // string
constexpr uint16_t hw_trap_name = 16;        // string
constexpr uint16_t hw_entries = 17;          // nested HW_ENTRY list
constexpr uint16_t hw_entry = 18;            // nested HW_TRAP_NAME, HW_TRAP_COUNT
constexpr uint16_t hw_trap_count = 19;       // u32
constexpr uint16_t sw_drops = 20;            // flag
constexpr uint16_t hw_drops = 21;            // flag
constexpr uint16_t flow_action_cookie = 22;  // bytes
constexpr uint16_t reason = 23;              // string, the skb drop reason's name (5.18+)
constexpr uint16_t count = 24;
// A short name such as "REASON", or "unknown".
const char* name(uint16_t attribute) noexcept;
}  // namespace attr

// One row per attribute, in number order.
inline constexpr AttributeSpec drop_attributes[] = {
    {attr::unspec, "UNSPEC", Width::any},
    {attr::alert_mode, "ALERT_MODE", Width::exact, 1},
    {attr::pc, "PC", Width::exact, 8},
    {attr::symbol, "SYMBOL", Width::string},
    {attr::in_port, "IN_PORT", Width::nested},
    {attr::timestamp, "TIMESTAMP", Width::exact, 8},
    {attr::proto, "PROTO", Width::exact, 2},
    {attr::payload, "PAYLOAD", Width::any},
    {attr::pad, "PAD", Width::any},
    {attr::trunc_len, "TRUNC_LEN", Width::exact, 4},
    {attr::orig_len, "ORIG_LEN", Width::exact, 4},
    {attr::queue_len, "QUEUE_LEN", Width::exact, 4},
    {attr::stats, "STATS", Width::nested},
    {attr::hw_stats, "HW_STATS", Width::nested},
    {attr::origin, "ORIGIN", Width::exact, 2},
    {attr::hw_trap_group_name, "HW_TRAP_GROUP_NAME", Width::string},
    {attr::hw_trap_name, "HW_TRAP_NAME", Width::string},
    {attr::hw_entries, "HW_ENTRIES", Width::nested},
    {attr::hw_entry, "HW_ENTRY", Width::nested},
    {attr::hw_trap_count, "HW_TRAP_COUNT", Width::exact, 4},
    {attr::sw_drops, "SW_DROPS", Width::flag},
    {attr::hw_drops, "HW_DROPS", Width::flag},
    {attr::flow_action_cookie, "FLOW_ACTION_COOKIE", Width::any},
    {attr::reason, "REASON", Width::string},
};

// Port attributes, nested in IN_PORT (NET_DM_ATTR_PORT_NETDEV_*).
namespace port_attr {
constexpr uint16_t ifindex = 0;  // u32 (absent for ifindex 0)
constexpr uint16_t name = 1;     // string (hardware drops only)
constexpr uint16_t count = 2;
}  // namespace port_attr
inline constexpr AttributeSpec port_attributes[] = {
    {port_attr::ifindex, "IFINDEX", Width::exact, 4},
    {port_attr::name, "NAME", Width::string, 15},  // IFNAMSIZ - 1 characters
};

// Stats attributes, nested in STATS and HW_STATS (NET_DM_ATTR_STATS_*).
namespace stats_attr {
constexpr uint16_t dropped = 0;  // u64: drops the kernel's per-CPU queue had no room for
constexpr uint16_t count = 1;
}  // namespace stats_attr
inline constexpr AttributeSpec stats_attributes[] = {
    {stats_attr::dropped, "DROPPED", Width::exact, 8},
};

static_assert(sizeof(drop_attributes) / sizeof(AttributeSpec) == attr::count, "one row per NET_DM attribute");
static_assert(netlink::detail::rows_in_number_order(drop_attributes), "drop_attributes: row i must be attribute i");
static_assert(netlink::detail::rows_in_number_order(port_attributes), "port_attributes: row i must be attribute i");
static_assert(netlink::detail::rows_in_number_order(stats_attributes), "stats_attributes: row i must be attribute i");
static_assert(attr::count <= 32, "DropView keeps presence in 32 bits");

// One summary entry of struct net_dm_alert_msg: 8 bytes of address, a u32 count.
constexpr size_t summary_point_size = 12;

// The largest datagram one drop can need: headers, the fixed attributes and
// a PAYLOAD of up to 0xffff - 8 bytes (NET_DM_MAX_PACKET_SIZE), rounded up.
constexpr size_t max_drop_datagram = 65536 + 512;

}  // namespace psample::dropmon
