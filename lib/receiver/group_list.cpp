// psample-cpp layer 3: the GET_GROUP dump.
#include "psample/group_list.hpp"

#include <linux/netlink.h>

#include <memory>

#include "psample/decode.hpp"
#include "psample/netlink/exchange.hpp"
#include "psample/netlink/request_builder.hpp"
#include "receiver/psample_family.hpp"

namespace psample {

namespace {

// The GET_GROUP dump of family `family_id` (0: resolve "psample" first), on
// one socket and one scratch buffer.
Result<std::vector<GroupInfo>> dump_groups(uint16_t family_id) noexcept {
  auto socket = netlink::Socket::open(NETLINK_GENERIC);
  if (!socket) return socket.error();
  std::unique_ptr<uint8_t[]> scratch(new uint8_t[max_sample_datagram]);
  const MutableByteView buffer(scratch.get(), max_sample_datagram);
  if (family_id == 0) {
    auto family = detail::resolve_psample_family(*socket, buffer);
    if (!family) return family.error();
    family_id = family->id;
  }
  std::vector<GroupInfo> groups;
  // A dump that raced a group's creation or removal is asked for again.
  for (int attempt = 1;; ++attempt) {
    uint8_t request_buffer[32];
    netlink::RequestBuilder builder(MutableByteView(request_buffer, sizeof request_buffer));
    builder.begin(family_id, netlink::flag_request | netlink::flag_dump, socket->next_sequence());
    builder.put_genl_header(static_cast<uint8_t>(Command::get_group), 1);
    auto request = builder.finish();
    if (!request) return request.error();
    groups.clear();
    auto done = netlink::exchange(*socket, *request, buffer, "PSAMPLE_CMD_GET_GROUP",
                                  [&](const netlink::Message& reply) -> Result<void> {
                                    if (reply.type != family_id) return {};
                                    auto group = decode_group(reply.bytes);
                                    if (!group) return group.error();
                                    groups.push_back(*group);
                                    return {};
                                  });
    if (done) return groups;
    if (done.error().code() != ErrorCode::dump_interrupted || attempt == 3) return done.error();
  }
}

}  // namespace

Result<std::vector<GroupInfo>> list_groups(uint16_t family_id) noexcept {
  if (family_id == 0) return Error(ErrorCode::invalid_argument, 0, "family id 0 is not a generic netlink family");
  return dump_groups(family_id);
}

Result<std::vector<GroupInfo>> list_groups() noexcept { return dump_groups(0); }

}  // namespace psample
