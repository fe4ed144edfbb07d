// psample-cpp layer 3: listing the kernel's sample groups (GET_GROUP dump).
#pragma once

#include <cstdint>
#include <vector>

#include "psample/export.hpp"
#include "psample/group_info.hpp"
#include "psample/result.hpp"

namespace psample {

// The groups of the current network namespace, from a GET_GROUP dump over a
// socket of its own. Needs no privilege. Errors: family_not_found (psample
// not loaded), system, kernel_error.
PSAMPLE_API Result<std::vector<GroupInfo>> list_groups() noexcept;

// The same, for a family id already resolved.
PSAMPLE_API Result<std::vector<GroupInfo>> list_groups(uint16_t family_id) noexcept;

}  // namespace psample
