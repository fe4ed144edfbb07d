// psample-cpp layer 1: the request/reply exchange every netlink request runs on.
#include "psample/netlink/exchange.hpp"

#include "psample/netlink/attribute.hpp"

namespace psample::netlink {

Result<void> exchange(Socket& socket, ByteView request, MutableByteView scratch, const char* what,
                      FunctionRef<Result<void>(const Message&)> on_reply) noexcept {
  if (request.size() < message_header_size) return Error(ErrorCode::invalid_argument, 0, "%s: empty request", what);
  const uint32_t sequence = load_u32(request.data() + 8);
  if (auto sent = socket.send(request); !sent) return sent.error();
  bool interrupted = false;
  const auto finish = [&]() -> Result<void> {
    if (!interrupted) return {};
    return Error(ErrorCode::dump_interrupted, 0,
                 "%s: the kernel's state changed during the dump (NLM_F_DUMP_INTR); ask again", what);
  };
  for (;;) {
    auto datagram = socket.receive(scratch);
    if (!datagram) {
      if (datagram.error().code() == ErrorCode::interrupted) continue;
      return datagram.error();
    }
    MessageReader messages(ByteView(scratch.data(), datagram->size));
    Message message;
    while (messages.next(message)) {
      if (message.sequence != sequence || message.port_id != socket.port_id()) continue;  // not ours
      if (message.flags & flag_dump_interrupted) interrupted = true;
      if (message.is_error()) {
        auto ack = parse_ack(message);
        if (!ack) return ack.error();
        if (ack->error == 0) return finish();
        return error_from_ack(*ack, what);
      }
      if (message.is_done()) {
        if (message.payload.size() >= 4) {
          const int32_t code = static_cast<int32_t>(load_u32(message.payload.data()));
          if (code < 0) {
            KernelAck ack;
            ack.error = errno_from_kernel(code);
            return error_from_ack(ack, what);
          }
        }
        return finish();
      }
      if (auto handled = on_reply(message); !handled) return handled;
      if (!message.is_multipart()) return finish();
    }
    if (messages.failed()) {
      return Error(ErrorCode::malformed, 0, "%s: malformed reply: %s", what, messages.failure());
    }
  }
}

}  // namespace psample::netlink
