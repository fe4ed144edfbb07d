// psample-cpp layer 3 (private): finding the psample family, with the hint
// that tells a person what to load when it is not there.
#pragma once

#include "psample/bytes.hpp"
#include "psample/netlink/genl_controller.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/result.hpp"

namespace psample::detail {

// resolve_family("psample"); family_not_found says to load the module.
Result<netlink::FamilyInfo> resolve_psample_family(netlink::Socket& socket, MutableByteView scratch) noexcept;

}  // namespace psample::detail
