// psample-cpp layer 3 (private): what the event core needs to know about one
// generic netlink event source. A source (psample, and next the drop
// monitor) describes itself with one of these and dispatches its own
// messages; the core does the rest (event_core.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "psample/netlink/socket.hpp"
#include "psample/result.hpp"

namespace psample::events {

struct FamilyDescription {
  static constexpr size_t max_groups = 4;

  const char* name = nullptr;  // the generic netlink family ("psample")
  // What to do when the family is not there ("load the psample kernel
  // module (modprobe psample) or ..."), for family_not_found.
  const char* missing_hint = "";
  // The multicast groups to join, in order; the first is the one events
  // come on (a reload is followed when it is joined again).
  const char* groups[max_groups] = {};
  size_t group_count = 0;
  // What joining needs, for permission_denied ("CAP_NET_ADMIN (kernels >= 6.7)").
  const char* join_privilege = "CAP_NET_ADMIN";
  // An optional socket filter, attached before the groups are joined and
  // again when the family comes back with a new id: (socket, family id, the
  // context given to EventCore::open()). Null: no filter.
  Result<void> (*attach_filter)(netlink::Socket& socket, uint16_t family_id, const void* context) = nullptr;
};

}  // namespace psample::events
