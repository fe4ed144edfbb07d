// psample-cpp layer 3: the classic-BPF socket filter that keeps only chosen
// sample groups, so other groups never reach (or fill) the socket buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "psample/export.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/result.hpp"

namespace psample {

using netlink::FilterInstruction;

// The most groups one filter can list (cBPF jump offsets are 8 bits).
constexpr size_t max_filter_groups = 200;

// Sample groups to deliver (ReceiverOptions::groups): up to
// max_filter_groups, stored inline (no allocation). Adding more fails, and a
// list that overflowed makes Receiver::open() refuse it.
class GroupList {
 public:
  GroupList() noexcept = default;
  GroupList(std::initializer_list<uint32_t> groups) noexcept {
    for (uint32_t g : groups) add(g);
  }
  // False (and overflowed() from then on) when the list is full.
  bool add(uint32_t group) noexcept {
    if (size_ == max_filter_groups) {
      overflowed_ = true;
      return false;
    }
    groups_[size_++] = group;
    return true;
  }
  void clear() noexcept { size_ = 0, overflowed_ = false; }
  bool overflowed() const noexcept { return overflowed_; }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const uint32_t* begin() const noexcept { return groups_; }
  const uint32_t* end() const noexcept { return groups_ + size_; }
  uint32_t operator[](size_t i) const noexcept { return groups_[i]; }

 private:
  uint32_t groups_[max_filter_groups] = {};
  size_t size_ = 0;
  bool overflowed_ = false;
};

// Instructions in the filter program for `groups` groups.
constexpr size_t group_filter_length(size_t groups) { return groups + 12; }

// Builds the filter program into `program` (group_filter_length(groups.size())
// instructions; returns that count): messages of family `family_id` with
// command SAMPLE pass only if their SAMPLE_GROUP is one of `groups`; every
// other message (controller notifications, config events, samples without a
// group attribute, which the decoder then reports) passes. The kernel loads
// message words in network byte order, so constants are converted from host
// order. Errors: invalid_argument (no groups, or a list that overflowed),
// buffer_too_small.
PSAMPLE_API Result<size_t> build_group_filter(uint16_t family_id, const GroupList& groups, FilterInstruction* program,
                                              size_t capacity) noexcept;

}  // namespace psample
