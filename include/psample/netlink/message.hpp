// psample-cpp layer 1: walking the netlink messages of one received datagram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "psample/bytes.hpp"
#include "psample/error.hpp"
#include "psample/export.hpp"
#include "psample/netlink/attribute.hpp"
#include "psample/result.hpp"

namespace psample::netlink {

constexpr size_t message_header_size = 16;  // struct nlmsghdr
constexpr size_t genl_header_size = 4;      // struct genlmsghdr

// Control message types (NLMSG_*) and header flags (NLM_F_*).
constexpr uint16_t message_type_error = 2;
constexpr uint16_t message_type_done = 3;
constexpr uint16_t message_type_overrun = 4;
constexpr uint16_t flag_request = 0x1;
constexpr uint16_t flag_multi = 0x2;
constexpr uint16_t flag_ack = 0x4;
constexpr uint16_t flag_dump_interrupted = 0x10;  // NLM_F_DUMP_INTR: the dumped state changed during the dump
constexpr uint16_t flag_dump = 0x300;
constexpr uint16_t flag_capped = 0x100;    // on NLMSG_ERROR: the request was not echoed whole
constexpr uint16_t flag_ack_tlvs = 0x200;  // on NLMSG_ERROR: extended-ack attributes follow

// One netlink message inside a datagram.
struct Message {
  uint16_t type = 0;
  uint16_t flags = 0;
  uint32_t sequence = 0;
  uint32_t port_id = 0;  // nlmsg_pid
  ByteView bytes;        // the whole message, header included, nlmsg_len long
  ByteView payload;      // what follows the 16-byte header

  bool is_multipart() const noexcept { return flags & flag_multi; }
  bool is_done() const noexcept { return type == message_type_done; }
  bool is_error() const noexcept { return type == message_type_error; }
  bool is_overrun() const noexcept { return type == message_type_overrun; }
};

// Walks the messages of one datagram (a dump packs several). next() returns
// false at the end or on a broken header; failed() tells the two apart. A
// final message whose length is not a multiple of 4 is accepted.
class PSAMPLE_API MessageReader {
 public:
  explicit MessageReader(ByteView datagram) noexcept : datagram_(datagram) {}

  bool next(Message& out) noexcept;

  bool failed() const noexcept { return failure_ != nullptr; }
  const char* failure() const noexcept { return failure_; }
  size_t failure_offset() const noexcept { return position_; }

 private:
  ByteView datagram_;
  size_t position_ = 0;
  const char* failure_ = nullptr;
};

// The contents of an NLMSG_ERROR message: an errno (0 for an ACK) and the
// extended-ack attributes when the kernel added them (NETLINK_EXT_ACK).
struct KernelAck {
  int error = 0;             // positive errno, 0 = success
  std::string_view message;  // NLMSGERR_ATTR_MSG without its NUL, or empty
  bool has_offset = false;
  uint32_t offset = 0;  // NLMSGERR_ATTR_OFFS: byte offset of the bad attribute in the request
};

// The positive errno for the (negative) error code the kernel puts in
// NLMSG_ERROR and NLMSG_DONE; safe for any value.
PSAMPLE_API int errno_from_kernel(int32_t code) noexcept;

// Parses an NLMSG_ERROR message. Views point into the message.
PSAMPLE_API Result<KernelAck> parse_ack(const Message& message) noexcept;

// Turns a failed ack into an Error of code kernel_error (or family_not_found,
// permission_denied where the errno says so), carrying the kernel's text.
// `what` names the request, e.g. "CTRL_CMD_GETFAMILY". The ack's offset, if
// any, goes with it (Error::kernel_offset(); request_layout.hpp names it).
PSAMPLE_API Error error_from_ack(const KernelAck& ack, const char* what) noexcept;

// The generic netlink command of a message (the genlmsghdr's first byte), or
// -1 when the message is too short to have one.
inline int genl_command(const Message& message) noexcept {
  return message.payload.size() >= genl_header_size ? message.payload[0] : -1;
}

}  // namespace psample::netlink
