// psample-cpp layer 3 (private): what a Receiver holds: the event core
// (lib/events/: socket, receive loop, module reload following) with
// psample's description, and psample's own books. The files that implement
// it:
// - receiver.cpp: open, adopt, detached, accessors;
// - psample_family.cpp: psample's FamilyDescription (groups, filter, hints);
// - dispatch.cpp: one datagram's psample messages to the handlers (process()).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "events/event_core.hpp"
#include "psample/heap.hpp"
#include "psample/receiver.hpp"
#include "receiver/sequence_tracker.hpp"

namespace psample {

namespace detail {
// psample's descriptions (psample_family.cpp): "packets", or "packets" and
// "config" (config_events); the group filter for options.groups; the hints.
extern const events::FamilyDescription psample_packets;
extern const events::FamilyDescription psample_packets_and_config;
inline const events::FamilyDescription& psample_description(const ReceiverOptions& options) noexcept {
  return options.config_events ? psample_packets_and_config : psample_packets;
}
}  // namespace detail

struct PSAMPLE_LOCAL Receiver::State {
  // `slots`: datagrams per recvmmsg (0 for a detached Receiver, which receives nothing).
  State(const ReceiverOptions& chosen, const events::CoreOptions& generic, size_t slots) noexcept
      : options(chosen), description(detail::psample_description(chosen)), core(generic, slots) {}
  // A State in memory from malloc, with its `slots` allocated; null when
  // memory ran out. Receiver::StateDeleter destroys it.
  static State* create(const ReceiverOptions& options, const events::CoreOptions& generic, size_t slots) noexcept;

  ReceiverOptions options;
  const events::FamilyDescription& description;  // psample's, for the options (psample_family.cpp)
  events::EventCore core;
  // psample's counters; the core's generic ones, and the loss estimate's
  // totals (sequences.totals()), are added in stats().
  ReceiverStats stats;
  detail::SequenceTracker sequences;
  MallocArray<uint8_t> dump_buffer;  // groups()' GET_GROUP replies, allocated on first use

  size_t process(ByteView datagram, uint32_t sender_port, const Handlers& handlers) noexcept;
  // The loss estimate's verdict on a sample (the tracker keeps the counts).
  SampleSequence count_sequence(uint32_t group, uint32_t seq) noexcept {
    const SampleSequence s = sequences.observe(group, seq);
    stats.untracked_samples += s.verdict == SampleSequence::Verdict::untracked;
    return s;
  }
};

}  // namespace psample
