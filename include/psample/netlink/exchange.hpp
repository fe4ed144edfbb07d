// psample-cpp layer 1: one request and its replies (an ACK, one reply, or a dump).
#pragma once

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/function_ref.hpp"
#include "psample/netlink/message.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/result.hpp"

namespace psample::netlink {

// Sends `request` (built with socket.next_sequence() as its sequence number)
// and passes each reply message to `on_reply` until the exchange ends: a
// reply without NLM_F_MULTI, NLMSG_DONE, or an ACK. Only messages carrying
// the request's sequence number and this socket's port id are replies.
// An NLMSG_ERROR with an errno becomes an Error carrying the kernel's text;
// `what` names the request in it. An error from `on_reply` ends the exchange.
// A dump whose replies carry NLM_F_DUMP_INTR (the kernel's state changed
// while it was dumped) is read to its end and then fails with
// dump_interrupted: discard what on_reply was given and ask again.
PSAMPLE_API Result<void> exchange(Socket& socket, ByteView request, MutableByteView scratch, const char* what,
                                  FunctionRef<Result<void>(const Message&)> on_reply) noexcept;

}  // namespace psample::netlink
