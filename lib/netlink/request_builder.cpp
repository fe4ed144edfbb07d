// psample-cpp layer 1: the request builder.
#include "psample/netlink/request_builder.hpp"

#include <cstring>

#include "psample/netlink/attribute.hpp"
#include "psample/netlink/message.hpp"

namespace psample::netlink {

namespace {
void store_u16(uint8_t* p, uint16_t v) noexcept { std::memcpy(p, &v, 2); }
void store_u32(uint8_t* p, uint32_t v) noexcept { std::memcpy(p, &v, 4); }
}  // namespace

uint8_t* RequestBuilder::reserve(size_t length) noexcept {
  const size_t padded = align4(length);
  if (overflowed_ || padded > buffer_.size() - length_) {
    overflowed_ = true;
    return nullptr;
  }
  uint8_t* at = buffer_.data() + length_;
  std::memset(at, 0, padded);
  length_ += padded;
  return at;
}

void RequestBuilder::begin(uint16_t type, uint16_t flags, uint32_t sequence) noexcept {
  length_ = 0;
  overflowed_ = false;
  uint8_t* header = reserve(message_header_size);
  if (header == nullptr) return;
  store_u16(header + 4, type);
  store_u16(header + 6, flags);
  store_u32(header + 8, sequence);
  // nlmsg_len is set by finish(); nlmsg_pid 0 lets the kernel fill it in.
}

void RequestBuilder::put_genl_header(uint8_t command, uint8_t version) noexcept {
  uint8_t* header = reserve(genl_header_size);
  if (header == nullptr) return;
  header[0] = command;
  header[1] = version;
}

void RequestBuilder::put_family_header(ByteView header) noexcept {
  uint8_t* at = reserve(header.size());
  if (at != nullptr && !header.empty()) std::memcpy(at, header.data(), header.size());
}

void RequestBuilder::put_attribute(uint16_t type, const void* data, size_t length) noexcept {
  if (length > 0xffff - attribute_header_size) {
    overflowed_ = true;
    return;
  }
  uint8_t* at = reserve(attribute_header_size + length);
  if (at == nullptr) return;
  store_u16(at, static_cast<uint16_t>(attribute_header_size + length));
  store_u16(at + 2, type);
  if (length != 0) std::memcpy(at + attribute_header_size, data, length);
}

void RequestBuilder::put_string(uint16_t type, std::string_view value) noexcept {
  // reserve() zeroes, so the NUL after the characters is already there.
  if (value.size() + 1 > 0xffff - attribute_header_size) {
    overflowed_ = true;
    return;
  }
  const size_t length = attribute_header_size + value.size() + 1;
  uint8_t* at = reserve(length);
  if (at == nullptr) return;
  store_u16(at, static_cast<uint16_t>(length));
  store_u16(at + 2, type);
  if (!value.empty()) std::memcpy(at + attribute_header_size, value.data(), value.size());
}

size_t RequestBuilder::begin_nested(uint16_t type) noexcept {
  const size_t token = length_;
  uint8_t* at = reserve(attribute_header_size);
  if (at != nullptr) store_u16(at + 2, static_cast<uint16_t>(type | attribute_flag_nested));
  return token;
}

void RequestBuilder::end_nested(size_t token) noexcept {
  if (overflowed_ || token + attribute_header_size > length_) return;
  const size_t length = length_ - token;
  if (length > 0xffff) {
    overflowed_ = true;
    return;
  }
  store_u16(buffer_.data() + token, static_cast<uint16_t>(length));
}

Result<ByteView> RequestBuilder::finish() noexcept {
  if (overflowed_ || length_ < message_header_size) {
    return Error(ErrorCode::buffer_too_small, 0, "netlink request does not fit its %zu-byte buffer", buffer_.size());
  }
  store_u32(buffer_.data(), static_cast<uint32_t>(length_));
  return ByteView(buffer_.data(), length_);
}

}  // namespace psample::netlink
