// psample-cpp-sflow: the sFlow drop_reason code of a drop the kernel's drop
// monitor reported (sflow.org "sFlow Dropped Packet Notification
// Structures", enum drop_reason): from the kernel's drop reason name
// (NET_DM_ATTR_REASON), else the devlink trap's name, else its group, else
// unknown (256). The table is in lib/sflow/drop_reason.cpp and the README
// ("Drops as sFlow discards"), which a unit test holds to each other.
#pragma once

#include <cstdint>
#include <string_view>

namespace psample::sflow {

namespace drop_reason {
constexpr uint32_t unknown = 256;
}  // namespace drop_reason

uint32_t drop_reason_code(std::string_view linux_reason, std::string_view trap_group,
                          std::string_view trap_name) noexcept;

}  // namespace psample::sflow
