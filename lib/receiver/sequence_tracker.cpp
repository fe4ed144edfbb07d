// psample-cpp layer 3: per-group GROUP_SEQ gap accounting.
#include "receiver/sequence_tracker.hpp"

namespace psample::detail {

uint32_t SequenceTracker::observe(uint32_t group, uint32_t seq) noexcept {
  if (last_ >= groups_.size() || groups_[last_].group != group) {
    size_t i = 0;
    while (i < groups_.size() && groups_[i].group != group) ++i;
    if (i == groups_.size()) {
      GroupCounters fresh;
      fresh.group = group;
      fresh.samples = 1;
      fresh.last_seq = seq;
      groups_.push_back(fresh);
      last_ = i;
      return 0;
    }
    last_ = i;
  }
  GroupCounters& counters = groups_[last_];
  const uint32_t gap = seq - counters.last_seq - 1;  // modulo 2^32
  counters.last_seq = seq;
  ++counters.samples;
  if (static_cast<int32_t>(gap) <= 0) return 0;  // in order, or went backwards: resync
  counters.lost += gap;
  return gap;
}

}  // namespace psample::detail
