// psample-cpp layer 3: finding the psample family.
#include "receiver/psample_family.hpp"

#include "psample/protocol.hpp"

namespace psample::detail {

Result<netlink::FamilyInfo> resolve_psample_family(netlink::Socket& socket, MutableByteView scratch) noexcept {
  return netlink::resolve_family(socket, family_name, scratch,
                                 "load the psample kernel module (modprobe psample) or add a tc sample action");
}

}  // namespace psample::detail
