// Test and benchmark helpers over the Receiver's allocation-free API: a
// detached Receiver that must open, and group counters as a vector.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "psample/receiver.hpp"
#include "support/receivers.hpp"

namespace support {

// support::detached_receiver() for tests and benchmarks that need one: stops the
// program with the reason if it cannot be made (out of memory, bad options).
inline psample::Receiver detached_receiver(uint16_t family_id, const psample::ReceiverOptions& options = {}) {
  auto receiver = psample::Receiver::detached(family_id, options);
  if (!receiver) {
    std::fprintf(stderr, "Receiver::detached: %s\n", receiver.error().message());
    std::abort();
  }
  return std::move(*receiver);
}

// Every tracked group's counters, in order of first appearance.
inline std::vector<psample::GroupCounters> group_counters(const psample::Receiver& receiver) {
  std::vector<psample::GroupCounters> counters(psample::max_tracked_groups);
  counters.resize(receiver.group_counters(counters.data(), counters.size()));
  return counters;
}

}  // namespace support
