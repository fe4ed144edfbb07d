// psample-cpp layer 2: the fields of one sample, shared by PacketView and Packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "psample/protocol.hpp"

namespace psample {

namespace detail {
struct SampleWriter;
}

// Presence flags and values of a sample, one slot per sample attribute
// (sample_attributes in protocol.hpp). Absent is told apart from zero: check
// has_*() (or has(attr::X)) before trusting a value; an absent value reads 0.
class SampleFields {
 public:
  // Every value 0, nothing present. The values are cleared one store each:
  // a `= {}` initializer becomes `rep stos` on x86-64, which costs more than
  // the rest of a decode's setup.
  SampleFields() noexcept { clear(std::make_index_sequence<attr::count>()); }

  // True if the message carried attribute `attribute` (an attr:: constant).
  bool has(uint16_t attribute) const noexcept { return attribute < 32 && (present_ >> attribute) & 1u; }
  // Bit (1 << attr::X) for every attribute the message carried.
  uint32_t present_mask() const noexcept { return present_; }
  // The value of a fixed-width attribute (width up to 8 bytes), 0 when absent
  // or when the attribute is bytes (PacketView::bytes() reads those).
  uint64_t value(uint16_t attribute) const noexcept {
    return attribute < attr::count && !is_bytes(attribute) ? values_[attribute] : 0;
  }

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
  uint32_t in_ifindex() const noexcept { return u32(attr::iifindex); }
  uint32_t out_ifindex() const noexcept { return u32(attr::oifindex); }
  // Length of the packet before truncation; data().size() < orig_size() means truncated.
  uint32_t orig_size() const noexcept { return u32(attr::origsize); }
  uint32_t group() const noexcept { return u32(attr::sample_group); }
  // Per-group sequence number; gaps mean lost samples.
  uint32_t group_seq() const noexcept { return u32(attr::group_seq); }
  // 1-in-N, or a probability scaled to 0..UINT32_MAX when sample_probability().
  uint32_t sample_rate() const noexcept { return u32(attr::sample_rate); }
  bool sample_probability() const noexcept { return has(attr::sample_probability); }
  uint16_t out_tc() const noexcept { return static_cast<uint16_t>(values_[attr::out_tc]); }
  uint64_t out_tc_occ() const noexcept { return values_[attr::out_tc_occ]; }
  uint64_t latency() const noexcept { return values_[attr::latency]; }
  // Nanoseconds since the epoch (CLOCK_REALTIME) when the kernel built the message.
  uint64_t timestamp() const noexcept { return values_[attr::timestamp]; }
  // Ethertype of data(), host order (e.g. 0x0800).
  uint16_t proto() const noexcept { return static_cast<uint16_t>(values_[attr::proto]); }
  // The sender's netlink port id: 0 for the kernel, non-zero for user-space producers.
  uint32_t sender_port() const noexcept { return sender_port_; }
  // True if data() holds fewer bytes than the original packet.
  bool is_truncated() const noexcept { return has_orig_size() && span_length(attr::data) < orig_size(); }

 protected:
  friend struct detail::SampleWriter;

  // The slots that hold (offset, length) of a payload rather than a value:
  // the table's bytes rows, as one mask worked out at compile time (so that
  // no code reads the table, with its names, at run time).
  static constexpr uint32_t bytes_mask() noexcept {
    uint32_t mask = 0;
    for (uint16_t a = 0; a < attr::count; ++a) {
      const Width w = sample_attributes[a].width;
      mask |= w == Width::any || w == Width::nested || w == Width::at_most ? 1u << a : 0u;
    }
    return mask;
  }
  static constexpr bool is_bytes(uint16_t attribute) noexcept {
    constexpr uint32_t mask = bytes_mask();
    return (mask >> attribute) & 1u;
  }
  uint32_t u32(uint16_t attribute) const noexcept { return static_cast<uint32_t>(values_[attribute]); }
  // A bytes attribute's slot holds (offset << 32 | length), the offset from
  // the start of the bytes its owner keeps (the message, or a Packet's copy).
  uint32_t span_offset(uint16_t attribute) const noexcept { return static_cast<uint32_t>(values_[attribute] >> 32); }
  uint32_t span_length(uint16_t attribute) const noexcept { return static_cast<uint32_t>(values_[attribute]); }

  uint32_t present_ = 0;
  uint32_t sender_port_ = 0;
  uint64_t values_[attr::count];

 private:
  template <size_t... I>
  void clear(std::index_sequence<I...>) noexcept {
    ((values_[I] = 0), ...);
  }
};

}  // namespace psample
