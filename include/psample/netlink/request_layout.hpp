// psample-cpp layer 1: naming the request attribute an extended ack points
// at ("... (the kernel points at attribute FAMILY_NAME (2))"), as the
// kernel's YNL library does. Header-only on purpose: only a program that
// sends requests with attributes compiles it in; a receive-only program
// (whose one request, CTRL_CMD_GETFAMILY, is checked before it is sent)
// pays nothing for it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "psample/bytes.hpp"
#include "psample/error.hpp"
#include "psample/function_ref.hpp"
#include "psample/netlink/attribute.hpp"
#include "psample/netlink/exchange.hpp"
#include "psample/netlink/message.hpp"
#include "psample/result.hpp"

namespace psample::netlink {

// How to name the attributes of a request.
struct RequestLayout {
  // The family's header after the nlmsghdr: genlmsghdr for generic netlink;
  // rtnetlink requests have their own (struct ifinfomsg: 16, struct tcmsg: 20).
  size_t family_header_size = genl_header_size;
  // The request's top-level attribute names ("FAMILY_NAME"), or nullptr.
  const char* (*attribute_name)(uint16_t type) = nullptr;
};

// What `offset` (from the start of the request's nlmsghdr) points at in
// `request`: "attribute FAMILY_NAME (2)", a nested one as its path
// ("attribute OPTIONS (2) > 1 > 5"), the number alone where `layout` names
// nothing. False (and `out` empty) when no attribute starts exactly there.
inline bool describe_request_offset(ByteView request, uint32_t offset, const RequestLayout& layout,
                                    char (&out)[96]) noexcept {
  size_t used = 0;
  size_t position = message_header_size + layout.family_header_size;
  size_t end = request.size();
  out[0] = '\0';
  while (position + attribute_header_size <= end) {
    const uint8_t* header = request.data() + position;
    const size_t length = load_u16(header);
    if (!attribute_fits(static_cast<uint32_t>(length), end - position - attribute_header_size)) break;
    if (offset < position || offset >= position + length) {  // not in this one: the next
      position += align4(length);
      continue;
    }
    const uint16_t type = load_u16(header + 2) & attribute_type_mask;
    const char* name = used == 0 && layout.attribute_name != nullptr ? layout.attribute_name(type) : nullptr;
    const int n = std::snprintf(out + used, sizeof out - used, "%s%s%s%u%s", used == 0 ? "attribute " : " > ",
                                name ? name : "", name ? " (" : "", type, name ? ")" : "");
    used = std::min(sizeof out - 1, used + static_cast<size_t>(n > 0 ? n : 0));
    if (offset == position) return true;
    end = position + length;  // inside its payload: look among its nested attributes
    position += attribute_header_size;
  }
  out[0] = '\0';
  return false;
}

// `error` with " (the kernel points at attribute ...)" added when its
// extended ack's offset names an attribute of `request`; else `error`.
inline Error name_request_attribute(const Error& error, ByteView request, const RequestLayout& layout) noexcept {
  char where[96];
  if (error.kernel_offset() == 0 || !describe_request_offset(request, error.kernel_offset(), layout, where)) {
    return error;
  }
  Error named(error.code(), error.system_errno(), "%s (the kernel points at %s)", error.message(), where);
  named.set_kernel_message(error.kernel_message(), static_cast<unsigned>(std::strlen(error.kernel_message())));
  named.set_kernel_offset(error.kernel_offset());
  return named;
}

// exchange(), naming the attribute of `request` a refusal points at.
inline Result<void> exchange(Socket& socket, ByteView request, MutableByteView scratch, const char* what,
                             FunctionRef<Result<void>(const Message&)> on_reply, const RequestLayout& layout) noexcept {
  Result<void> done = exchange(socket, request, scratch, what, on_reply);
  if (done) return done;
  return name_request_attribute(done.error(), request, layout);
}

}  // namespace psample::netlink
