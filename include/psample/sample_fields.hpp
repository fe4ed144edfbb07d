// psample-cpp layer 2: the scalar fields of one sample, shared by PacketView and Packet.
#pragma once

#include <cstdint>

#include "psample/protocol.hpp"

namespace psample {

namespace detail {
struct SampleWriter;
}

// Presence flags and scalar values of a sample. Absent is told apart from
// zero: check has_*() (or has(attr::X)) before trusting a value.
class SampleFields {
 public:
  // True if the message carried attribute `attribute` (an attr:: constant).
  bool has(uint16_t attribute) const noexcept { return attribute < 32 && (present_ >> attribute) & 1u; }
  // Bit (1 << attr::X) for every attribute the message carried.
  uint32_t present_mask() const noexcept { return present_; }

  bool has_in_ifindex() const noexcept { return has(attr::iifindex); }
  bool has_out_ifindex() const noexcept { return has(attr::oifindex); }
  bool has_orig_size() const noexcept { return has(attr::origsize); }
  bool has_group() const noexcept { return has(attr::sample_group); }
  bool has_group_seq() const noexcept { return has(attr::group_seq); }
  bool has_sample_rate() const noexcept { return has(attr::sample_rate); }
  bool has_data() const noexcept { return has(attr::data); }
  bool has_tunnel() const noexcept { return has(attr::tunnel); }
  bool has_out_tc() const noexcept { return has(attr::out_tc); }
  bool has_out_tc_occ() const noexcept { return has(attr::out_tc_occ); }
  bool has_latency() const noexcept { return has(attr::latency); }
  bool has_timestamp() const noexcept { return has(attr::timestamp); }
  bool has_proto() const noexcept { return has(attr::proto); }
  bool has_user_cookie() const noexcept { return has(attr::user_cookie); }

  // Ingress / egress interface index (kernels send 16 bits of it).
  uint32_t in_ifindex() const noexcept { return in_ifindex_; }
  uint32_t out_ifindex() const noexcept { return out_ifindex_; }
  // Length of the packet before truncation; data().size() < orig_size() means truncated.
  uint32_t orig_size() const noexcept { return orig_size_; }
  uint32_t group() const noexcept { return group_; }
  // Per-group sequence number; gaps mean lost samples.
  uint32_t group_seq() const noexcept { return group_seq_; }
  // 1-in-N, or a probability scaled to 0..UINT32_MAX when sample_probability().
  uint32_t sample_rate() const noexcept { return sample_rate_; }
  bool sample_probability() const noexcept { return has(attr::sample_probability); }
  uint16_t out_tc() const noexcept { return out_tc_; }
  uint64_t out_tc_occ() const noexcept { return out_tc_occ_; }
  uint64_t latency() const noexcept { return latency_; }
  // Nanoseconds since the epoch (CLOCK_REALTIME) when the kernel built the message.
  uint64_t timestamp() const noexcept { return timestamp_; }
  // Ethertype of data(), host order (e.g. 0x0800).
  uint16_t proto() const noexcept { return proto_; }
  // The sender's netlink port id: 0 for the kernel, non-zero for user-space producers.
  uint32_t sender_port() const noexcept { return sender_port_; }
  // True if data() holds fewer bytes than the original packet.
  bool is_truncated() const noexcept { return has_orig_size() && data_length_ < orig_size_; }

 protected:
  friend struct detail::SampleWriter;

  uint32_t present_ = 0;
  uint32_t in_ifindex_ = 0;
  uint32_t out_ifindex_ = 0;
  uint32_t orig_size_ = 0;
  uint32_t group_ = 0;
  uint32_t group_seq_ = 0;
  uint32_t sample_rate_ = 0;
  uint32_t sender_port_ = 0;
  uint32_t data_length_ = 0;
  uint16_t out_tc_ = 0;
  uint16_t proto_ = 0;
  uint64_t out_tc_occ_ = 0;
  uint64_t latency_ = 0;
  uint64_t timestamp_ = 0;
};

}  // namespace psample
