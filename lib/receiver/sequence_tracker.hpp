// psample-cpp layer 3 (private): per-group GROUP_SEQ gap accounting.
#pragma once

#include <cstdint>
#include <vector>

#include "psample/receiver.hpp"

namespace psample::detail {

// Estimates lost samples from gaps in each group's sequence numbers. A group
// seen for the first time has no gap; u32 wrap-around is handled; a sequence
// number that goes backwards (group re-created, reordering) resynchronises
// without counting a loss. Allocates only when a new group appears.
class SequenceTracker {
 public:
  // Records a sample; returns how many samples of its group were skipped.
  uint32_t observe(uint32_t group, uint32_t seq) noexcept;
  const std::vector<GroupCounters>& groups() const noexcept { return groups_; }

 private:
  std::vector<GroupCounters> groups_;
  size_t last_ = 0;  // index of the most recent group: samples come in runs
};

}  // namespace psample::detail
