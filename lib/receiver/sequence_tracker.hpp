// psample-cpp layer 3 (private): per-group GROUP_SEQ loss estimation.
#pragma once

#include <cstddef>
#include <cstdint>
#include "psample/heap.hpp"
#include "psample/receiver.hpp"
#include "psample/sample_sequence.hpp"

namespace psample::detail {

// Estimates lost samples from each group's sequence numbers, honest under the
// kernel's unordered `seq++` (see ReceiverStats::lost for the rules):
// - a forward gap of up to max_sequence_jump counts as that many losses;
// - a late sample within the last 64 sequence numbers takes its loss back,
//   and one already seen is a duplicate (never loss);
// - a larger jump forwards is a resynchronisation (no loss), and so is a
//   step back beyond the window when the next sample follows it (the group
//   started again); a single sample that far back is a straggler;
// - u32 wrap-around is ordinary arithmetic.
// Groups live in an open-addressing table: O(1) per sample, at most
// max_tracked_groups of them; samples of further groups are only counted.
class SequenceTracker {
 public:
  // Records a sample of `group` with GROUP_SEQ `seq`; returns what it did to
  // the estimate (see SampleSequence).
  SampleSequence observe(uint32_t group, uint32_t seq) noexcept;
  // The tracked groups, in order of first appearance, into `out` (the first
  // `capacity` of them). Returns how many are tracked.
  size_t groups(GroupCounters* out, size_t capacity) const noexcept;
  // Lost, duplicates and resyncs summed over the tracked groups, into `stats`.
  void totals(ReceiverStats& stats) const noexcept;

 private:
  struct Entry {
    GroupCounters counters;
    uint64_t window = 0;   // bit i: sequence number (last_seq - i) was seen or written off
    uint32_t order = 0;    // first appearance, for groups()
    uint32_t pending = 0;  // a sample far behind last_seq, if has_pending: a restart if the next follows it
    bool has_pending = false;
    bool used = false;
  };
  Entry* find_or_add(uint32_t group) noexcept;
  Entry* lookup(uint32_t group) noexcept;
  bool grow() noexcept;

  MallocArray<Entry> table_;
  size_t capacity_ = 0;  // a power of two
  size_t used_ = 0;
  Entry* recent_ = nullptr;  // the last group's entry
};

}  // namespace psample::detail
