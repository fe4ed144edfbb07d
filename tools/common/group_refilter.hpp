// psample-cpp tools: a reload's new -g on a running Receiver. The kernel
// filter on its socket (the library's build_group_filter()) is replaced in
// place: SO_ATTACH_FILTER swaps programs atomically and what is queued
// stays queued, so no sample is lost and the socket stays open.
#pragma once

#include <string>

#include "psample/group_filter.hpp"

namespace tools {

// Keeps only `groups` on the socket `receiver_fd` (a Receiver's fd()), or
// every group when `groups` is empty. False with `error` set, the filter
// unchanged. (After a psample module reload the Receiver puts back the
// groups it was opened with.)
bool refilter_groups(int receiver_fd, const psample::GroupList& groups, std::string& error);

}  // namespace tools
