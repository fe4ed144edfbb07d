// psample-cpp layer 3: the classic-BPF socket filter that keeps only chosen
// sample groups, so other groups never reach (or fill) the socket buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "psample/export.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/result.hpp"

namespace psample {

using netlink::FilterInstruction;

// The most groups one filter can list (cBPF jump offsets are 8 bits).
constexpr size_t max_filter_groups = 200;

// Builds the filter program: messages of family `family_id` with command
// SAMPLE pass only if their SAMPLE_GROUP is one of `groups`; every other
// message (controller notifications, config events, samples without a group
// attribute, which the decoder then reports) passes. The kernel loads message
// words in network byte order, so constants are converted from host order.
PSAMPLE_API Result<std::vector<FilterInstruction>> build_group_filter(uint16_t family_id,
                                                                      const std::vector<uint32_t>& groups);

}  // namespace psample
