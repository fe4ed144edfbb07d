// psample-cpp layer 1: bounds-checked netlink attribute (nlattr) walking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/netlink/attribute_rules.hpp"

namespace psample::netlink {

constexpr size_t attribute_header_size = 4;
constexpr uint16_t attribute_flag_nested = 0x8000;         // NLA_F_NESTED
constexpr uint16_t attribute_flag_net_byteorder = 0x4000;  // NLA_F_NET_BYTEORDER
constexpr uint16_t attribute_type_mask = 0x3fff;

// Rounds a length up to netlink's 4-byte alignment (NLA_ALIGN / NLMSG_ALIGN).
constexpr size_t align4(size_t length) noexcept { return (length + 3) & ~size_t(3); }

// Host-order loads from possibly unaligned memory (netlink integers are host-endian).
inline uint16_t load_u16(const uint8_t* p) noexcept {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline uint32_t load_u32(const uint8_t* p) noexcept {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t load_u64(const uint8_t* p) noexcept {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

class AttributeReader;

// One attribute: its type (flags masked off), the flags, and a view of its
// payload. The payload excludes the alignment padding, which is never read.
class Attribute {
 public:
  Attribute() noexcept = default;
  Attribute(uint16_t raw_type, ByteView payload, size_t offset) noexcept
      : raw_type_(raw_type), payload_(payload), offset_(offset) {}

  uint16_t type() const noexcept { return raw_type_ & attribute_type_mask; }
  bool has_nested_flag() const noexcept { return raw_type_ & attribute_flag_nested; }
  bool has_net_byteorder_flag() const noexcept { return raw_type_ & attribute_flag_net_byteorder; }
  ByteView payload() const noexcept { return payload_; }
  // Offset of the attribute header from the start of the walked range.
  size_t offset() const noexcept { return offset_; }

  // Typed reads; each succeeds only for a payload of exactly that width.
  std::optional<uint8_t> as_u8() const noexcept {
    if (payload_.size() != 1) return std::nullopt;
    return payload_[0];
  }
  std::optional<uint16_t> as_u16() const noexcept {
    if (payload_.size() != 2) return std::nullopt;
    return load_u16(payload_.data());
  }
  std::optional<uint32_t> as_u32() const noexcept {
    if (payload_.size() != 4) return std::nullopt;
    return load_u32(payload_.data());
  }
  std::optional<uint64_t> as_u64() const noexcept {
    if (payload_.size() != 8) return std::nullopt;
    return load_u64(payload_.data());
  }
  // A flag attribute carries no payload.
  bool is_flag() const noexcept { return payload_.empty(); }
  // A NUL-terminated string; the view excludes the NUL. Fails without a NUL.
  std::optional<std::string_view> as_string() const noexcept {
    const void* nul = payload_.empty() ? nullptr : std::memchr(payload_.data(), 0, payload_.size());
    if (nul == nullptr) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(payload_.data()),
                            static_cast<size_t>(static_cast<const uint8_t*>(nul) - payload_.data()));
  }

  // Walks the payload as nested attributes (with or without NLA_F_NESTED).
  inline AttributeReader nested() const noexcept;

 private:
  uint16_t raw_type_ = 0;
  ByteView payload_;
  size_t offset_ = 0;
};

// Walks a range of attributes. next() returns false at the end or when an
// attribute breaks the rules; failed() tells the two apart.
//
//   AttributeReader reader(bytes);
//   Attribute a;
//   while (reader.next(a)) { switch (a.type()) { ... } }
//   if (reader.failed()) { /* reader.failure() says why */ }
class PSAMPLE_API AttributeReader {
 public:
  explicit AttributeReader(ByteView range) noexcept : range_(range) {}

  bool next(Attribute& out) noexcept;

  bool failed() const noexcept { return fault_ != AttributeFault::none; }
  // Why the walk stopped early (AttributeFault::none: it did not).
  AttributeFault fault() const noexcept { return fault_; }
  // The fault's text, or nullptr.
  const char* failure() const noexcept { return failed() ? fault_text(fault_) : nullptr; }
  // Offset within the range of the attribute that broke the rules.
  size_t failure_offset() const noexcept { return position_; }

 private:
  ByteView range_;
  size_t position_ = 0;
  AttributeFault fault_ = AttributeFault::none;
};

inline AttributeReader Attribute::nested() const noexcept { return AttributeReader(payload_); }

}  // namespace psample::netlink
