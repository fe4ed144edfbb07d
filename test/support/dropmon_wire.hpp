// Test support: NET_DM messages written by hand in the order and shape
// net/core/drop_monitor.c writes them (net_dm_packet_report_fill,
// net_dm_hw_packet_report_fill, the summary alert), independently of the
// library's decoder.
#pragma once

#include <string>

#include "support/wire.hpp"

namespace wire {

constexpr uint16_t dropmon_family_id = 0x1d;

// A u64 attribute as nla_put_u64_64bit writes it on a 64-bit kernel: a PAD
// (type 8) first when the payload would not be 8-byte aligned.
inline Bytes u64_aligned(size_t message_offset, uint16_t type, uint64_t value) {
  Bytes out;
  if ((message_offset + 4) % 8 != 0) out = attr(8, Bytes{});
  return cat({out, attr(type, u64(value))});
}

struct SoftwareDrop {
  uint64_t pc = 0xffffffff81a2b3c4ull;
  std::string reason = "NO_SOCKET";
  std::string symbol = "__udp4_lib_rcv+0x8a1/0xbc0";
  uint32_t ifindex = 2;
  uint64_t timestamp = 1764900000123456789ull;
  uint32_t orig_len = 70;
  uint16_t proto = 0x0800;
  Bytes payload = filled(70, 0x40);
};

inline Bytes software_drop(const SoftwareDrop& d) {
  Bytes attrs = attr(14, u16(0));  // ORIGIN software
  attrs = cat({attrs, u64_aligned(20 + attrs.size(), 2, d.pc)});
  attrs = cat({attrs, attr(23, str(d.reason)), attr(3, str(d.symbol))});
  attrs = cat({attrs, attr(4, d.ifindex ? attr(0, u32(d.ifindex)) : Bytes{})});
  attrs = cat({attrs, u64_aligned(20 + attrs.size(), 5, d.timestamp), attr(10, u32(d.orig_len))});
  if (!d.payload.empty()) attrs = cat({attrs, attr(6, u16(d.proto)), attr(7, d.payload)});
  return genl_message(dropmon_family_id, 5, attrs);
}

struct HardwareDrop {
  std::string group = "l3_drops";
  std::string trap = "blackhole_route";
  uint32_t ifindex = 5;
  std::string port = "eni0np1";
  Bytes cookie = Bytes{0xde, 0xad, 0xbe, 0xef};
  uint64_t timestamp = 1764900001000000000ull;
  uint32_t orig_len = 98;
  uint16_t proto = 0x86dd;
  Bytes payload = filled(98, 0x10);
};

inline Bytes hardware_drop(const HardwareDrop& d) {
  Bytes attrs = cat({attr(14, u16(1)), attr(15, str(d.group)), attr(16, str(d.trap)),
                     attr(4, cat({attr(0, u32(d.ifindex)), attr(1, str(d.port))}))});
  if (!d.cookie.empty()) attrs = cat({attrs, attr(22, d.cookie)});
  attrs = cat({attrs, u64_aligned(20 + attrs.size(), 5, d.timestamp), attr(10, u32(d.orig_len))});
  if (!d.payload.empty()) attrs = cat({attrs, attr(6, u16(d.proto)), attr(7, d.payload)});
  return genl_message(dropmon_family_id, 5, attrs);
}

// A software summary ALERT: struct net_dm_alert_msg {u32 entries; {u8 pc[8]; u32 count}[]}.
inline Bytes software_summary(std::initializer_list<std::pair<uint64_t, uint32_t>> points) {
  Bytes body = u32(uint32_t(points.size()));
  for (const auto& p : points) body = cat({body, u64(p.first), u32(p.second)});
  return genl_message(dropmon_family_id, 1, attr(0, body));
}

// A hardware summary ALERT: an empty net_dm_alert_msg, then HW_ENTRIES.
inline Bytes hardware_summary(std::initializer_list<std::pair<std::string, uint32_t>> traps) {
  Bytes entries;
  for (const auto& t : traps)
    entries = cat({entries, attr(18, cat({attr(16, str(t.first)), attr(19, u32(t.second))}))});
  return genl_message(dropmon_family_id, 1, cat({attr(0, u32(0)), attr(17, entries)}));
}

}  // namespace wire
