// Test support: writes netlink bytes by hand, independently of the library's
// RequestBuilder, so tests do not share the library's assumptions.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "psample/bytes.hpp"

namespace wire {

using Bytes = std::vector<uint8_t>;

// Whether `inner` lies within `outer`'s bytes (zero-copy views point into the message).
inline bool inside(psample::ByteView inner, const Bytes& outer) {
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

// The bytes as the library's input type.
inline psample::ByteView view(const Bytes& b) { return psample::ByteView(b.data(), b.size()); }

inline void append(Bytes& out, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  out.insert(out.end(), p, p + size);
}

inline Bytes u8(uint8_t v) { return Bytes{v}; }
inline Bytes u16(uint16_t v) {
  Bytes b;
  append(b, &v, 2);
  return b;
}  // host order, as netlink
inline Bytes u32(uint32_t v) {
  Bytes b;
  append(b, &v, 4);
  return b;
}
inline Bytes u64(uint64_t v) {
  Bytes b;
  append(b, &v, 8);
  return b;
}
inline Bytes be16(uint16_t v) { return Bytes{uint8_t(v >> 8), uint8_t(v)}; }
inline Bytes be32(uint32_t v) { return Bytes{uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }
inline Bytes be64(uint64_t v) {
  Bytes b;
  for (int i = 7; i >= 0; --i) b.push_back(uint8_t(v >> (8 * i)));
  return b;
}
inline Bytes str(const std::string& s) {
  Bytes b(s.begin(), s.end());
  b.push_back(0);
  return b;
}
inline Bytes filled(size_t n, uint8_t first = 0) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(first + i);
  return b;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// One attribute: nla_len, nla_type, payload, then padding to 4. The kernel
// does not zero its padding, so tests pad with 0xEE to catch pad reads.
inline Bytes attr(uint16_t type, const Bytes& payload, uint8_t pad_byte = 0xEE) {
  Bytes b = cat({u16(uint16_t(4 + payload.size())), u16(type), payload});
  while (b.size() % 4) b.push_back(pad_byte);
  return b;
}
// An attribute with a lying length field (for bad-length tests).
inline Bytes attr_with_length(uint16_t type, uint16_t nla_len, const Bytes& payload) {
  return cat({u16(nla_len), u16(type), payload});
}

// nlmsghdr + genlmsghdr + attributes; nlmsg_len covers everything given.
inline Bytes genl_message(uint16_t type, uint8_t command, const Bytes& attributes, uint16_t flags = 0, uint32_t seq = 0,
                          uint32_t pid = 0) {
  const uint32_t length = uint32_t(16 + 4 + attributes.size());
  return cat({u32(length), u16(type), u16(flags), u32(seq), u32(pid), Bytes{command, 1, 0, 0}, attributes});
}

// A plain netlink message (no genl header), e.g. NLMSG_DONE or NLMSG_ERROR.
inline Bytes message(uint16_t type, const Bytes& payload, uint16_t flags = 0, uint32_t seq = 0, uint32_t pid = 0) {
  const uint32_t length = uint32_t(16 + payload.size());
  return cat({u32(length), u16(type), u16(flags), u32(seq), u32(pid), payload});
}

// A controller (nlctrl, type 0x10) message about family `name` with id
// `id` and multicast groups {id, name}: a GETFAMILY reply (command 1,
// NEWFAMILY), a DELFAMILY (2) or a NEWMCAST_GRP (7) notification.
inline Bytes ctrl_family(uint8_t command, const std::string& name, uint16_t id,
                         std::initializer_list<std::pair<uint32_t, std::string>> groups) {
  Bytes entries;
  uint16_t index = 1;
  for (const auto& group : groups) {
    entries = cat({entries, attr(index++, cat({attr(2, u32(group.first)), attr(1, str(group.second))}))});
  }
  Bytes attributes = cat({attr(2, str(name)), attr(1, u16(id)), attr(3, u32(1)), attr(4, u32(0)), attr(5, u32(16))});
  if (groups.size() != 0) attributes = cat({attributes, attr(7, entries)});
  return genl_message(0x10, command, attributes);
}

// Pads a message to NLMSG_ALIGN before the next one in a datagram.
inline Bytes aligned(Bytes b) {
  while (b.size() % 4) b.push_back(0);
  return b;
}

}  // namespace wire
