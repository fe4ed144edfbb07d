#include "interface_names.hpp"

#include <net/if.h>

#include "coarse_clock.hpp"

namespace dump {

const std::string& InterfaceNames::name(uint32_t ifindex) {
  static const std::string none;
  if (!resolve_ || ifindex == 0) return none;
  Entry& entry = entries_[ifindex % slots];
  const uint64_t now = tools::coarse_ms();
  if (entry.ifindex == ifindex && now - entry.looked_up_ms < refresh_ms) return entry.name;
  char buffer[IF_NAMESIZE] = {};
  entry.ifindex = ifindex;
  entry.looked_up_ms = now;
  entry.name = if_indextoname(ifindex, buffer) != nullptr ? buffer : "";
  return entry.name;
}

}  // namespace dump
