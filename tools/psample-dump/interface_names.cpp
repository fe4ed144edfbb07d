#include "interface_names.hpp"

#include <net/if.h>

namespace dump {

const std::string& InterfaceNames::name(uint32_t ifindex) {
  static const std::string none;
  if (!resolve_ || ifindex == 0) return none;
  auto found = cache_.find(ifindex);
  if (found != cache_.end()) return found->second;
  char buffer[IF_NAMESIZE] = {};
  std::string resolved = if_indextoname(ifindex, buffer) != nullptr ? buffer : "";
  return cache_.emplace(ifindex, resolved).first->second;
}

}  // namespace dump
