// psample-cpp layer 1: building one netlink request in a caller-provided buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/result.hpp"

namespace psample::netlink {

// Writes nlmsghdr, an optional family header (genlmsghdr or another struct),
// and attributes (nested too). Nothing is allocated: when the buffer is full
// the builder remembers it and finish() returns buffer_too_small.
//
//   uint8_t buffer[256];
//   RequestBuilder b(MutableByteView(buffer, sizeof buffer));
//   b.begin(family_id, flag_request, 1);
//   b.put_genl_header(command, version);
//   b.put_string(attribute, "name");
//   Result<ByteView> request = b.finish();
class PSAMPLE_API RequestBuilder {
 public:
  explicit RequestBuilder(MutableByteView buffer) noexcept : buffer_(buffer) {}

  // Starts the message: nlmsghdr with this type, flags and sequence number.
  void begin(uint16_t type, uint16_t flags, uint32_t sequence) noexcept;
  // Appends a genlmsghdr {cmd, version, reserved 0}.
  void put_genl_header(uint8_t command, uint8_t version) noexcept;
  // Appends a fixed family header (e.g. struct ifinfomsg), zero-padded to 4 bytes.
  void put_family_header(ByteView header) noexcept;

  void put_u8(uint16_t type, uint8_t value) noexcept { put_attribute(type, &value, 1); }
  void put_u16(uint16_t type, uint16_t value) noexcept { put_attribute(type, &value, 2); }
  void put_u32(uint16_t type, uint32_t value) noexcept { put_attribute(type, &value, 4); }
  void put_u64(uint16_t type, uint64_t value) noexcept { put_attribute(type, &value, 8); }
  void put_flag(uint16_t type) noexcept { put_attribute(type, nullptr, 0); }
  // A NUL-terminated string attribute.
  void put_string(uint16_t type, std::string_view value) noexcept;
  void put_bytes(uint16_t type, ByteView value) noexcept { put_attribute(type, value.data(), value.size()); }

  // Opens a nested attribute (NLA_F_NESTED set); close it with end_nested().
  size_t begin_nested(uint16_t type) noexcept;
  void end_nested(size_t token) noexcept;

  // Sets nlmsg_len and returns the finished message.
  Result<ByteView> finish() noexcept;

  bool overflowed() const noexcept { return overflowed_; }

 private:
  PSAMPLE_LOCAL uint8_t* reserve(size_t length) noexcept;  // zeroed, 4-byte padded; nullptr on overflow
  void put_attribute(uint16_t type, const void* data, size_t length) noexcept;

  MutableByteView buffer_;
  size_t length_ = 0;
  bool overflowed_ = false;
};

}  // namespace psample::netlink
