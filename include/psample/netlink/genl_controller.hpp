// psample-cpp layer 1: the generic netlink controller (family name -> id, groups).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/function_ref.hpp"
#include "psample/netlink/message.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/result.hpp"

namespace psample::netlink {

constexpr uint16_t genl_controller_id = 0x10;  // GENL_ID_CTRL
constexpr size_t genl_name_capacity = 16;      // GENL_NAMSIZ, NUL included

// One multicast group of a family.
struct MulticastGroup {
  uint32_t id = 0;
  char name[genl_name_capacity] = {};
};

// What CTRL_CMD_GETFAMILY says about a family.
struct PSAMPLE_API FamilyInfo {
  static constexpr size_t max_groups = 16;

  uint16_t id = 0;
  uint32_t version = 0;
  uint32_t header_size = 0;
  uint32_t max_attribute = 0;
  char name[genl_name_capacity] = {};
  MulticastGroup groups[max_groups] = {};
  size_t group_count = 0;

  // The id of the multicast group called `group_name`, if the family has one.
  std::optional<uint32_t> find_group(std::string_view group_name) const noexcept;
};

// Parses a controller message (a GETFAMILY reply, or a NEWFAMILY/DELFAMILY
// notification) whose nlmsghdr starts `message`. Pure: no syscalls.
PSAMPLE_API Result<FamilyInfo> parse_family(ByteView message) noexcept;

// Asks the kernel for family `name` over `socket` (a NETLINK_GENERIC socket)
// using `scratch` as the receive buffer. ENOENT becomes family_not_found.
PSAMPLE_API Result<FamilyInfo> resolve_family(Socket& socket, std::string_view name, MutableByteView scratch) noexcept;

// Sends `request` and passes each reply message to `on_reply` until the
// exchange ends: a reply without NLM_F_MULTI, NLMSG_DONE, or an ACK. An
// NLMSG_ERROR with an errno becomes an Error carrying the kernel's text;
// `what` names the request in it. An error from `on_reply` ends the exchange.
PSAMPLE_API Result<void> exchange(Socket& socket, ByteView request, MutableByteView scratch, const char* what,
                                  FunctionRef<Result<void>(const Message&)> on_reply) noexcept;

}  // namespace psample::netlink
