// psample-cpp layer 3: the GET_GROUP dump.
#include "psample/group_list.hpp"

#include <linux/netlink.h>

#include <cerrno>

#include "psample/decode.hpp"
#include "psample/netlink/exchange.hpp"
#include "psample/netlink/request_builder.hpp"
#include "receiver/group_dump.hpp"
#include "receiver/psample_family.hpp"

namespace psample {

Result<size_t> detail::dump_groups(uint16_t family_id, MallocArray<uint8_t>& storage, GroupInfo* groups,
                                   size_t capacity) noexcept {
  auto socket = netlink::Socket::open(NETLINK_GENERIC);
  if (!socket) return socket.error();
  if (!storage) storage = allocate_bytes(group_dump_buffer_bytes);
  if (!storage)
    return Error(ErrorCode::system, ENOMEM, "out of memory for a %zu-byte dump buffer", group_dump_buffer_bytes);
  const MutableByteView buffer(storage.get(), group_dump_buffer_bytes);
  if (family_id == 0) {
    auto family = detail::resolve_psample_family(*socket, buffer);
    if (!family) return family.error();
    family_id = family->id;
  }
  // A dump that raced a group's creation or removal is asked for again.
  for (int attempt = 1;; ++attempt) {
    uint8_t request_buffer[32];
    netlink::RequestBuilder builder(MutableByteView(request_buffer, sizeof request_buffer));
    builder.begin(family_id, netlink::flag_request | netlink::flag_dump, socket->next_sequence());
    builder.put_genl_header(static_cast<uint8_t>(Command::get_group), 1);
    auto request = builder.finish();
    if (!request) return request.error();
    size_t count = 0;  // every attempt starts again at groups[0]
    auto done = netlink::exchange(*socket, *request, buffer, "PSAMPLE_CMD_GET_GROUP",
                                  [&](const netlink::Message& reply) -> Result<void> {
                                    if (reply.type != family_id) return {};
                                    auto group = decode_group(reply.bytes);
                                    if (!group) return group.error();
                                    if (count < capacity) groups[count] = *group;
                                    ++count;
                                    return {};
                                  });
    if (done) return count;
    if (done.error().code() != ErrorCode::dump_interrupted || attempt == 3) return done.error();
  }
}

namespace {

// One dump with a buffer of its own (0: resolve "psample" first).
Result<size_t> list_groups_of(uint16_t family_id, GroupInfo* groups, size_t capacity) noexcept {
  MallocArray<uint8_t> buffer;
  return detail::dump_groups(family_id, buffer, groups, capacity);
}

}  // namespace

Result<size_t> list_groups(uint16_t family_id, GroupInfo* groups, size_t capacity) noexcept {
  if (family_id == 0) return Error(ErrorCode::invalid_argument, 0, "family id 0 is not a generic netlink family");
  return list_groups_of(family_id, groups, capacity);
}

Result<size_t> list_groups(GroupInfo* groups, size_t capacity) noexcept { return list_groups_of(0, groups, capacity); }

}  // namespace psample
