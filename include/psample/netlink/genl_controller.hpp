// psample-cpp layer 1: the generic netlink controller (family name -> id, groups).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/netlink/message.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/result.hpp"

namespace psample::netlink {

constexpr uint16_t genl_controller_id = 0x10;  // GENL_ID_CTRL
constexpr size_t genl_name_capacity = 16;      // GENL_NAMSIZ, NUL included

// The controller's commands and attributes (include/uapi/linux/genetlink.h),
// the ones this library reads.
namespace ctrl {
constexpr uint8_t cmd_newfamily = 1;
constexpr uint8_t cmd_delfamily = 2;
constexpr uint8_t cmd_getfamily = 3;
constexpr uint8_t cmd_newmcast_grp = 7;
constexpr uint16_t attr_family_id = 1;
constexpr uint16_t attr_family_name = 2;
constexpr uint16_t attr_version = 3;
constexpr uint16_t attr_hdrsize = 4;
constexpr uint16_t attr_maxattr = 5;
constexpr uint16_t attr_mcast_groups = 7;
constexpr uint16_t attr_mcast_grp_name = 1;  // nested in attr_mcast_groups
constexpr uint16_t attr_mcast_grp_id = 2;
constexpr const char* notify_group_name = "notify";
// A controller attribute's short name ("FAMILY_NAME"), or nullptr: the
// RequestLayout names of CTRL_CMD_* requests (request_layout.hpp).
inline const char* attribute_name(uint16_t type) noexcept {
  static const char* const names[] = {"UNSPEC", "FAMILY_ID",    "FAMILY_NAME", "VERSION",   "HDRSIZE", "MAXATTR",
                                      "OPS",    "MCAST_GROUPS", "POLICY",      "OP_POLICY", "OP"};
  return type < sizeof names / sizeof names[0] ? names[type] : nullptr;
}
}  // namespace ctrl

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
// using `scratch` as the receive buffer. ENOENT becomes family_not_found,
// its message ending with `not_found_hint` when given (what to load).
PSAMPLE_API Result<FamilyInfo> resolve_family(Socket& socket, std::string_view name, MutableByteView scratch,
                                              const char* not_found_hint = nullptr) noexcept;

}  // namespace psample::netlink
