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
  return error_from_ack(ack, what, ByteView(), RequestLayout());
}

namespace {

// Finds the attribute starting at `offset` (relative to the start of
// `range`) among the attributes of `range`, descending into the one whose
// payload holds it. Appends "NAME (N)" / " > N" to `out` at `used`.
bool find_attribute_at(ByteView range, size_t offset, const RequestLayout& layout, bool top, char* out, size_t capacity,
                       size_t& used) noexcept {
  AttributeReader reader(range);
  Attribute attribute;
  while (reader.next(attribute)) {
    const size_t start = attribute.offset();
    const size_t payload = start + attribute_header_size;
    const size_t end = payload + attribute.payload().size();
    if (offset != start && (offset < payload || offset >= end)) continue;
    const char* name = top && layout.attribute_name != nullptr ? layout.attribute_name(attribute.type()) : nullptr;
    int n;
    if (top)
      n = name != nullptr ? std::snprintf(out + used, capacity - used, "attribute %s (%u)", name, attribute.type())
                          : std::snprintf(out + used, capacity - used, "attribute %u", attribute.type());
    else
      n = std::snprintf(out + used, capacity - used, " > %u", attribute.type());
    if (n > 0) used = std::min(capacity - 1, used + static_cast<size_t>(n));
    if (offset == start) return true;
    return find_attribute_at(attribute.payload(), offset - payload, layout, false, out, capacity, used);
  }
  return false;
}

}  // namespace

bool describe_request_offset(ByteView request, uint32_t offset, const RequestLayout& layout, char* out,
                             size_t capacity) noexcept {
  const size_t headers = message_header_size + layout.family_header_size;
  if (capacity == 0 || request.size() < headers || offset < headers) return false;
  const uint32_t length = load_u32(request.data());
  const ByteView attributes = request.subview(headers, (length < request.size() ? length : request.size()) - headers);
  size_t used = 0;
  char text[128];
  if (!find_attribute_at(attributes, offset - headers, layout, true, text, sizeof text, used)) return false;
  std::snprintf(out, capacity, "%s", text);
  return true;
}

Error error_from_ack(const KernelAck& ack, const char* what, ByteView request, const RequestLayout& layout) noexcept {
  char where[160] = "";
  char attribute[128];
  if (ack.has_offset && describe_request_offset(request, ack.offset, layout, attribute, sizeof attribute))
    std::snprintf(where, sizeof where, " (the kernel points at %s)", attribute);
  Error error(detail::code_for_errno(ack.error, ErrorCode::kernel_error), ack.error, "%s failed: %s%s%.*s%s", what,
              std::strerror(ack.error), ack.message.empty() ? "" : ": ", static_cast<int>(ack.message.size()),
              ack.message.data(), where);
  error.set_kernel_message(ack.message.data(), static_cast<unsigned>(ack.message.size()));
  return error;
}

}  // namespace psample::netlink
