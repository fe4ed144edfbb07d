// psample-cpp layer 2: pure decoding of psample messages. No syscalls, no allocation.
#pragma once

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/group_info.hpp"
#include "psample/netlink/message.hpp"
#include "psample/packet_view.hpp"
#include "psample/result.hpp"
#include "psample/tunnel_view.hpp"

namespace psample {

// Decodes one netlink message (nlmsghdr first; trailing bytes after nlmsg_len
// are ignored) holding PSAMPLE_CMD_SAMPLE. Unknown attributes are skipped.
// Errors: malformed (broken structure, or a known attribute of impossible
// width, named in the message), not_a_sample (another psample command).
// The family id in nlmsg_type is not checked: that is the caller's business.
PSAMPLE_API Result<PacketView> decode(ByteView message) noexcept;

// The same for a message netlink::MessageReader produced whose
// genl_command() is SAMPLE: the headers are not checked again (the Receiver's
// path). `sender_port` (the datagram's source port id) becomes sender_port().
// Any Message is safe to pass: nothing outside message.bytes is read.
PSAMPLE_API Result<PacketView> decode(const netlink::Message& message, uint32_t sender_port) noexcept;

// Decodes a NEW_GROUP / DEL_GROUP message (event or GET_GROUP dump reply).
// Kernels 5.8-5.11 numbered GROUP_REFCOUNT 8; that is accepted too.
PSAMPLE_API Result<GroupInfo> decode_group(ByteView message) noexcept;

// Decodes the payload of a PSAMPLE_ATTR_TUNNEL attribute (its nested attributes).
PSAMPLE_API Result<TunnelView> decode_tunnel(ByteView nested_attributes) noexcept;

}  // namespace psample
