// psample-cpp layer 2: a psample sampling group as the kernel reports it.
#pragma once

#include <cstdint>

#include "psample/protocol.hpp"

namespace psample {

// One group from a GET_GROUP dump reply or a NEW_GROUP / DEL_GROUP event.
struct GroupInfo {
  Command command = Command::new_group;  // new_group (event or dump reply) or del_group
  uint32_t group = 0;
  uint32_t refcount = 0;  // how many producers (tc actions, drivers) use the group
  uint32_t seq = 0;       // the group's next sequence number
  bool has_refcount = false;
  bool has_seq = false;
};

}  // namespace psample
