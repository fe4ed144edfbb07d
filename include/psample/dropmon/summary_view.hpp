// psample-cpp drop monitor, layer 2: a zero-copy view of one summary alert
// (ALERT): counts per drop location (software) or per trap (hardware), sent
// about once a second while the drop monitor runs in summary mode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "psample/bytes.hpp"
#include "psample/dropmon/protocol.hpp"
#include "psample/netlink/attribute.hpp"

namespace psample::dropmon {

namespace detail {
struct SummaryWriter;
}

// Software: drops at one code address since the last alert.
struct DropPoint {
  uint64_t pc = 0;
  uint32_t count = 0;
};
// Hardware: drops by one devlink trap since the last alert.
struct TrapCount {
  std::string_view trap_name;
  uint32_t count = 0;
};

// Validated by decode_summary(): walking it cannot fail.
class SummaryView {
 public:
  // A hardware summary carries trap counts; a software one drop points.
  bool is_hardware() const noexcept { return is_hardware_; }

  size_t point_count() const noexcept { return point_count_; }
  DropPoint point(size_t index) const noexcept {
    const uint8_t* entry = points_.data() + 4 + index * summary_point_size;
    return DropPoint{netlink::load_u64(entry), netlink::load_u32(entry + 8)};
  }
  size_t trap_count() const noexcept { return trap_count_; }
  // Calls on_trap(const TrapCount&) for each hardware entry, in order.
  template <class OnTrap>
  void for_each_trap(OnTrap&& on_trap) const noexcept {
    netlink::AttributeReader entries(hw_entries_);
    netlink::Attribute entry;
    while (entries.next(entry)) {
      if (entry.type() != attr::hw_entry) continue;
      TrapCount trap;
      netlink::AttributeReader fields(entry.payload());
      netlink::Attribute field;
      while (fields.next(field)) {
        if (field.type() == attr::hw_trap_name) trap.trap_name = field.as_string().value_or(std::string_view());
        if (field.type() == attr::hw_trap_count) trap.count = field.as_u32().value_or(0);
      }
      on_trap(static_cast<const TrapCount&>(trap));
    }
  }
  // Every drop the alert counts.
  uint64_t total() const noexcept { return total_; }

 private:
  friend struct detail::SummaryWriter;

  bool is_hardware_ = false;
  size_t point_count_ = 0;
  size_t trap_count_ = 0;
  uint64_t total_ = 0;
  ByteView points_;      // struct net_dm_alert_msg
  ByteView hw_entries_;  // HW_ENTRIES' payload
};

}  // namespace psample::dropmon
