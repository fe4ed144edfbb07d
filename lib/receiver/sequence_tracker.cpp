// psample-cpp layer 3: per-group GROUP_SEQ loss estimation.
#include "receiver/sequence_tracker.hpp"

namespace psample::detail {

namespace {

size_t slot_of(uint32_t group, size_t capacity) noexcept {
  // Fibonacci hashing: sequential group numbers spread over the table.
  return static_cast<size_t>((group * 2654435769u) >> 7) & (capacity - 1);
}

}  // namespace

bool SequenceTracker::grow() noexcept {
  const size_t capacity = capacity_ == 0 ? 8 : capacity_ * 2;
  MallocArray<Entry> table = allocate_array<Entry>(capacity);
  if (!table) return false;
  for (size_t i = 0; i < capacity_; ++i) {
    if (!table_[i].used) continue;
    size_t slot = slot_of(table_[i].counters.group, capacity);
    while (table[slot].used) slot = (slot + 1) & (capacity - 1);
    table[slot] = table_[i];
  }
  table_ = std::move(table);
  capacity_ = capacity;
  recent_ = nullptr;
  return true;
}

SequenceTracker::Entry* SequenceTracker::find_or_add(uint32_t group) noexcept {
  if (recent_ != nullptr && recent_->counters.group == group) return recent_;  // samples come in runs
  recent_ = lookup(group);
  return recent_;
}

SequenceTracker::Entry* SequenceTracker::lookup(uint32_t group) noexcept {
  if (capacity_ != 0) {
    size_t slot = slot_of(group, capacity_);
    while (table_[slot].used) {
      if (table_[slot].counters.group == group) return &table_[slot];
      slot = (slot + 1) & (capacity_ - 1);
    }
  }
  if (used_ >= max_tracked_groups) return nullptr;
  // At most half full, so probes stay short.
  if ((used_ + 1) * 2 > capacity_ && !grow()) return nullptr;
  size_t slot = slot_of(group, capacity_);
  while (table_[slot].used) slot = (slot + 1) & (capacity_ - 1);
  Entry& entry = table_[slot];
  entry = Entry();
  entry.used = true;
  entry.counters.group = group;
  entry.order = static_cast<uint32_t>(used_++);
  return &entry;
}

SampleSequence SequenceTracker::observe(uint32_t group, uint32_t seq) noexcept {
  using Verdict = SampleSequence::Verdict;
  SampleSequence verdict;
  Entry* entry = find_or_add(group);
  if (entry == nullptr) return verdict;  // untracked
  GroupCounters& c = entry->counters;
  ++c.samples;
  if (c.samples == 1) {  // first sight: nothing before it is known, or lost
    c.last_seq = seq;
    entry->window = ~uint64_t(0);
    verdict.verdict = Verdict::first;
    return verdict;
  }
  const int64_t step = static_cast<int32_t>(seq - c.last_seq);  // modulo 2^32
  if (step > 0 && step <= static_cast<int64_t>(max_sequence_jump)) {
    verdict.verdict = Verdict::in_order;
    verdict.lost = static_cast<uint32_t>(step - 1);
    c.lost += verdict.lost;
    entry->window = step >= 64 ? 1 : entry->window << step | 1;
    c.last_seq = seq;
  } else if (step <= 0 && step > -64) {
    const uint64_t bit = uint64_t(1) << -step;
    if (entry->window & bit) {
      verdict.verdict = Verdict::duplicate;
      ++c.duplicates;
    } else {
      entry->window |= bit;  // it was counted lost when the gap opened
      verdict.verdict = Verdict::late;
      --c.lost;
    }
  } else if (step > 0 || (entry->has_pending && seq - entry->pending - 1 < 64)) {
    // A jump forwards too large to be loss, or a second sample far back that
    // follows the first: the group started again (or another sender). Re-anchor.
    verdict.verdict = Verdict::resync;
    ++c.resyncs;
    c.last_seq = seq;
    entry->window = ~uint64_t(0);
    if (step <= 0) {  // restart confirmed: the numbers between its two samples are missing
      const uint32_t gap = seq - entry->pending - 1;
      verdict.lost = gap;
      c.lost += gap;
      entry->window = gap >= 63 ? 1 : ~uint64_t(0) << (gap + 1) | 1;  // gap is at most 63
    }
  } else {
    // Far back, once: a straggler later than the window (it stays counted
    // lost), or the first sample of a restart; the next sample tells.
    entry->pending = seq;
    entry->has_pending = true;
    verdict.verdict = Verdict::straggler;
    return verdict;
  }
  entry->has_pending = false;
  return verdict;
}

void SequenceTracker::totals(ReceiverStats& stats) const noexcept {
  stats.lost = stats.duplicates = stats.sequence_resyncs = 0;
  for (size_t i = 0; i < capacity_; ++i) {
    if (!table_[i].used) continue;
    stats.lost += table_[i].counters.lost;
    stats.duplicates += table_[i].counters.duplicates;
    stats.sequence_resyncs += table_[i].counters.resyncs;
  }
}

size_t SequenceTracker::groups(GroupCounters* out, size_t capacity) const noexcept {
  for (size_t i = 0; i < capacity_; ++i)  // orders are 0..used_-1
    if (table_[i].used && table_[i].order < capacity) out[table_[i].order] = table_[i].counters;
  return used_;
}

}  // namespace psample::detail
