// Test support: psample samples laid out the way the kernel builds them.
#pragma once

#include "wire.hpp"

namespace wire {

constexpr uint16_t test_family_id = 0x1c;  // any id: decode does not check it

// The fields of a sample as a test configures them.
struct SampleSpec {
  uint16_t in_ifindex = 3;
  uint32_t rate = 10;
  uint32_t orig_size = 98;
  uint32_t group = 7;
  uint32_t seq = 41;
  uint64_t timestamp = 1764170000123456789ull;
  uint16_t proto = 0x0800;
  Bytes data = filled(64, 0x10);
};

// The attribute order of kernel 6.1's psample_sample_packet (act_sample ingress).
inline Bytes kernel_sample_attributes(const SampleSpec& s) {
  return cat({attr(0, u16(s.in_ifindex)), attr(5, u32(s.rate)), attr(2, u32(s.orig_size)), attr(3, u32(s.group)),
              attr(4, u32(s.seq)), attr(13, u64(s.timestamp)), attr(14, u16(s.proto)), attr(6, s.data)});
}

inline Bytes kernel_sample(const SampleSpec& s, uint16_t family = test_family_id) {
  return genl_message(family, 0, kernel_sample_attributes(s));
}

}  // namespace wire
