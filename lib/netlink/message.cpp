// psample-cpp layer 1: NLMSG_ERROR parsing (errno and extended ack).
#include "psample/netlink/message.hpp"

#include "netlink/socket_errors.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace psample::netlink {

namespace {
constexpr uint16_t ext_ack_message = 1;                        // NLMSGERR_ATTR_MSG
constexpr uint16_t ext_ack_offset = 2;                         // NLMSGERR_ATTR_OFFS
constexpr size_t error_header_size = 4 + message_header_size;  // struct nlmsgerr
}  // namespace

bool MessageReader::next(Message& out) noexcept {
  const size_t remaining = datagram_.size() - position_;
  if (remaining == 0) return false;
  if (remaining < message_header_size) {
    failure_ = "datagram ends inside a netlink message header";
    return false;
  }
  const uint8_t* header = datagram_.data() + position_;
  const uint32_t length = load_u32(header);
  if (length < message_header_size || length > remaining) {
    failure_ = length < message_header_size ? "nlmsg_len is smaller than the netlink header"
                                            : "nlmsg_len runs past the end of the datagram";
    return false;
  }
  out.type = load_u16(header + 4);
  out.flags = load_u16(header + 6);
  out.sequence = load_u32(header + 8);
  out.port_id = load_u32(header + 12);
  out.bytes = ByteView(header, length);
  out.payload = ByteView(header + message_header_size, length - message_header_size);
  const size_t advance = align4(length);
  position_ = advance < remaining ? position_ + advance : datagram_.size();
  return true;
}

int errno_from_kernel(int32_t code) noexcept {
  // The kernel sends -errno; a hostile sender may send INT32_MIN, whose
  // negation does not fit: widen first, then clamp.
  const int64_t positive = code < 0 ? -static_cast<int64_t>(code) : code;
  return positive > INT32_MAX ? INT32_MAX : static_cast<int>(positive);
}

Result<KernelAck> parse_ack(const Message& message) noexcept {
  if (!message.is_error()) {
    return Error(ErrorCode::invalid_argument, 0, "netlink message type %u is not NLMSG_ERROR", message.type);
  }
  if (message.payload.size() < error_header_size) {
    return Error(ErrorCode::malformed, 0, "NLMSG_ERROR payload of %zu bytes is shorter than struct nlmsgerr (20)",
                 message.payload.size());
  }
  KernelAck ack;
  ack.error = errno_from_kernel(static_cast<int32_t>(load_u32(message.payload.data())));
  if (!(message.flags & flag_ack_tlvs)) return ack;

  // The request is echoed after the error code unless the ack was capped.
  size_t tlv_offset = error_header_size;
  if (!(message.flags & flag_capped)) {
    const uint32_t echoed = load_u32(message.payload.data() + 4);
    if (echoed < message_header_size || 4 + align4(echoed) > message.payload.size()) {
      return Error(ErrorCode::malformed, 0, "NLMSG_ERROR echoes a request of %u bytes that does not fit", echoed);
    }
    tlv_offset = 4 + align4(echoed);
  }
  AttributeReader reader(message.payload.subview(tlv_offset));
  Attribute attribute;
  while (reader.next(attribute)) {
    if (attribute.type() == ext_ack_message) {
      ByteView text = attribute.payload();
      const void* nul = text.empty() ? nullptr : std::memchr(text.data(), 0, text.size());
      const size_t length = nul ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - text.data()) : text.size();
      ack.message = std::string_view(reinterpret_cast<const char*>(text.data()), length);
    } else if (attribute.type() == ext_ack_offset) {
      if (auto offset = attribute.as_u32()) {
        ack.has_offset = true;
        ack.offset = *offset;
      }
    }
  }
  if (reader.failed()) {
    return Error(ErrorCode::malformed, 0, "NLMSG_ERROR extended ack: %s", reader.failure());
  }
  return ack;
}

Error error_from_ack(const KernelAck& ack, const char* what) noexcept {
  Error error(detail::code_for_errno(ack.error, ErrorCode::kernel_error), ack.error, "%s failed: %s%s%.*s", what,
              std::strerror(ack.error), ack.message.empty() ? "" : ": ", static_cast<int>(ack.message.size()),
              ack.message.data());
  error.set_kernel_message(ack.message.data(), static_cast<unsigned>(ack.message.size()));
  if (ack.has_offset) error.set_kernel_offset(ack.offset);
  return error;
}

}  // namespace psample::netlink
