// psample-cpp layer 3 (private): the GET_GROUP dump into a caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include "psample/group_info.hpp"
#include "psample/heap.hpp"
#include "psample/result.hpp"

namespace psample::detail {

// Enough for any GET_GROUP reply datagram: the kernel sizes dump datagrams
// to the reader's buffer, at least NLMSG_GOODSIZE (at most 8 KiB).
constexpr size_t group_dump_buffer_bytes = 16384;

// The dump of family `family_id` (0: resolve "psample" first) over a socket of
// its own, receiving into `buffer` (group_dump_buffer_bytes; allocated when
// null, so a caller that keeps it allocates once), as list_groups() says.
// In group_list.cpp.
Result<size_t> dump_groups(uint16_t family_id, MallocArray<uint8_t>& buffer, GroupInfo* groups,
                           size_t capacity) noexcept;

}  // namespace psample::detail
