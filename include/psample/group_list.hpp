// psample-cpp layer 3: listing the kernel's sample groups (GET_GROUP dump).
#pragma once

#include <cstddef>
#include <cstdint>

#include "psample/export.hpp"
#include "psample/group_info.hpp"
#include "psample/result.hpp"

namespace psample {

// The groups of the current network namespace, from a GET_GROUP dump over a
// socket of its own (and a 16 KiB buffer for the call), into `groups`.
// Returns how many groups the kernel has; the first `capacity` of them are
// in `groups`, so a result above capacity means: ask again with more room.
// A dump that raced a group's creation or removal is asked for again, up to
// 3 times. Needs no privilege. Errors: family_not_found (psample not
// loaded), dump_interrupted, system, kernel_error.
//
//   psample::GroupInfo groups[64];
//   auto n = psample::list_groups(groups, 64);
PSAMPLE_API Result<size_t> list_groups(GroupInfo* groups, size_t capacity) noexcept;

// The same, for a family id already resolved.
PSAMPLE_API Result<size_t> list_groups(uint16_t family_id, GroupInfo* groups, size_t capacity) noexcept;

}  // namespace psample
