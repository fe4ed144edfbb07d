// psample-cpp layer 1: attribute rules as data. A family's attribute set is a
// table of AttributeSpec rows (psample's in psample/protocol.hpp); the
// decoder validates against them, and error messages and tools name
// attributes from them. Also the framing faults every attribute walk shares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "psample/bytes.hpp"
#include "psample/export.hpp"

namespace psample::netlink {

// How wide an attribute's payload may be (the kernel's nla_policy, in short).
enum class Width : uint8_t {
  exact,    // `size` bytes
  either,   // `size` or `other` bytes
  at_most,  // 0 to `size` bytes
  any,      // any length: bytes
  flag,     // 0 bytes: being there is the value
  nested,   // nested attributes, any length
  string,   // NUL-terminated text: its last byte is NUL, at most `size` characters before it (0: no limit)
};

// One row of an attribute table.
struct AttributeSpec {
  static constexpr uint16_t itself = 0xffff;

  uint16_t number;
  const char* name;
  Width width;
  uint16_t size = 0;
  uint16_t other = 0;
  // Another number of this set that the attribute is read as (psample: kernels
  // 5.8-5.11 sent the tunnel key under GROUP_REFCOUNT's number), or `itself`.
  uint16_t read_as = itself;

  // Whether a payload of this many bytes can be right (a string's NUL is
  // checked by accepts(ByteView)).
  constexpr bool accepts(size_t payload) const noexcept {
    switch (width) {
      case Width::exact: return payload == size;
      case Width::either: return payload == size || payload == other;
      case Width::at_most: return payload <= size;
      case Width::flag: return payload == 0;
      case Width::string: return payload >= 1 && (size == 0 || payload - 1 <= size);
      case Width::any:
      case Width::nested: break;
    }
    return true;
  }
  // Whether this payload is right, bytes included.
  bool accepts(ByteView payload) const noexcept {
    if (!accepts(payload.size())) return false;
    return width != Width::string || payload[payload.size() - 1] == 0;
  }
  constexpr uint16_t slot() const noexcept { return read_as == itself ? number : read_as; }
};

// What a row expects, as error text: "4", "2 or 4", "at most 16", "0 (a
// flag)", "a NUL-terminated string of at most 15 characters", "any".
PSAMPLE_API const char* describe_width(const AttributeSpec& spec, char (&out)[64]) noexcept;

// The row for `number` in `table`, or nullptr when the set has no such attribute.
template <size_t N>
constexpr const AttributeSpec* find_attribute(const AttributeSpec (&table)[N], uint16_t number) noexcept {
  for (const AttributeSpec& spec : table) {
    if (spec.number == number) return &spec;
  }
  return nullptr;
}

namespace detail {
// True when row i of `table` is attribute i: the table can be indexed by number.
template <size_t N>
constexpr bool rows_in_number_order(const AttributeSpec (&table)[N]) noexcept {
  for (size_t i = 0; i < N; ++i) {
    if (table[i].number != i || table[i].slot() >= N) return false;
  }
  return true;
}
}  // namespace detail

// Why an attribute walk stopped early: one set of faults, one text each, for
// AttributeReader and the decoders' own scans alike.
enum class AttributeFault : uint8_t {
  none,
  trailing_bytes,       // fewer bytes left than an attribute header
  length_below_header,  // nla_len below 4
  past_end,             // nla_len runs past the end of its container
};

// The framing rule, one definition for every attribute walk (AttributeReader
// and the decoders' compiled scans): a header whose nla_len is `length`, with
// `room` bytes after the header up to the end of its container, frames an
// attribute when 4 <= length and length - 4 <= room. One unsigned compare:
// a length below 4 wraps and fails it too.
constexpr bool attribute_fits(uint32_t length, size_t room) noexcept { return length - 4u <= room; }
// Which fault a header that does not fit is.
constexpr AttributeFault framing_fault(uint32_t length) noexcept {
  return length < 4 ? AttributeFault::length_below_header : AttributeFault::past_end;
}

// The fault's text ("attribute length below 4"); one copy in the library.
PSAMPLE_API const char* fault_text(AttributeFault fault) noexcept;

}  // namespace psample::netlink
