// psample-cpp layer 3: what a Receiver's loss estimate decided about one
// sample, told to the handler beside the sample (Receiver::SequencedSampleHandler).
#pragma once

#include <cstdint>

namespace psample {

// The loss estimate's verdict on the sample in hand, from its group's
// GROUP_SEQ (ReceiverStats::lost gives the rules). What a verdict adds to the
// Receiver's counters, for the sample's group:
//   untracked   nothing: no GROUP_SEQ to judge by (a SAMPLE_PROBABILITY sample,
//               a sample without GROUP_SEQ, a group beyond max_tracked_groups)
//   first       nothing: the first sample of its group this Receiver saw
//   in_order    lost += `lost`: ahead of every earlier sample of its group;
//               `lost` numbers went missing just before it (0: none)
//   late        lost -= 1: it fills an earlier gap, whose loss is taken back
//   duplicate   duplicates += 1: its number was seen already
//   resync      sequence_resyncs += 1, lost += `lost`: a jump not counted as
//               loss (the group started again); `lost` is the numbers missing
//               between a restart's first two samples (0 for a jump forwards)
//   straggler   nothing yet: far behind the newest (64 or more). Either a late
//               sample past the window, which stays counted lost, or the
//               first of a restart, which the next sample confirms (resync)
// Summed over a group's samples, `lost` (less one per late sample) is the
// group's GroupCounters::lost.
struct SampleSequence {
  enum class Verdict : uint8_t { untracked, first, in_order, late, duplicate, resync, straggler };
  Verdict verdict = Verdict::untracked;
  uint32_t lost = 0;  // in_order and resync: samples counted lost just before this one
};

// A name for a verdict ("in_order", ...), for logs.
constexpr const char* verdict_name(SampleSequence::Verdict v) noexcept {
  switch (v) {
    case SampleSequence::Verdict::untracked: return "untracked";
    case SampleSequence::Verdict::first: return "first";
    case SampleSequence::Verdict::in_order: return "in_order";
    case SampleSequence::Verdict::late: return "late";
    case SampleSequence::Verdict::duplicate: return "duplicate";
    case SampleSequence::Verdict::resync: return "resync";
    case SampleSequence::Verdict::straggler: return "straggler";
  }
  return "?";
}

}  // namespace psample
