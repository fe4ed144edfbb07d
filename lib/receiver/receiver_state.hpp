// psample-cpp layer 3 (private): what a Receiver holds, shared by the files
// that implement it:
// - receiver.cpp: open, detached, accessors;
// - subscription.cpp: joining the groups, and following module reloads;
// - dispatch.cpp: one datagram's messages to the handlers (process());
// - receive_loop.cpp: the syscalls that fetch datagrams (receive()).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "psample/heap.hpp"
#include "psample/netlink/datagram_batch.hpp"
#include "psample/netlink/genl_controller.hpp"
#include "psample/netlink/message.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/receiver.hpp"
#include "receiver/sequence_tracker.hpp"

namespace psample {

struct PSAMPLE_LOCAL Receiver::State {
  // `slots`: datagrams per recvmmsg (0 for a detached Receiver, which receives nothing).
  State(const ReceiverOptions& chosen, size_t slots) noexcept : options(chosen), batch(slots, chosen.datagram_bytes) {}
  // A State in memory from malloc, with its `slots` allocated; null when
  // memory ran out. Receiver::StateDeleter destroys it.
  static State* create(const ReceiverOptions& options, size_t slots) noexcept;

  ReceiverOptions options;
  netlink::Socket socket;
  netlink::FamilyInfo family;
  int receive_buffer_bytes = 0;
  netlink::DatagramBatch batch;                 // datagrams_per_syscall slots of max_sample_datagram bytes
  std::chrono::milliseconds socket_timeout{0};  // SO_RCVTIMEO in effect (0: never set, waits forever)
  bool batching = false;                        // batch mode (recvmmsg) rather than single (recvfrom); see receive()
  unsigned singles = 0;                         // receives in single mode, for the probe every 16
  bool pause_next = false;                      // the last call delivered and emptied the queue: coalesce first
  ReceiverStats stats;
  detail::SequenceTracker sequences;
  // Group ids we are members of (0: none). A detached Receiver joins
  // nothing but keeps the same books, so its reload handling can be tested.
  uint32_t joined_packets = 0;
  uint32_t joined_config = 0;
  MallocArray<uint8_t> dump_buffer;  // groups()' GET_GROUP replies, allocated on first use

  Result<void> subscribe(bool force) noexcept;
  void on_controller_message(const netlink::Message& message) noexcept;

  size_t process(ByteView datagram, uint32_t sender_port, const Handlers& handlers) noexcept;
  // The loss estimate's verdict on a sample, added to the Receiver's totals.
  SampleSequence count_sequence(uint32_t group, uint32_t seq) noexcept {
    using Verdict = SampleSequence::Verdict;
    const SampleSequence s = sequences.observe(group, seq);
    stats.lost += s.lost;
    stats.lost -= s.verdict == Verdict::late;
    stats.duplicates += s.verdict == Verdict::duplicate;
    stats.sequence_resyncs += s.verdict == Verdict::resync;
    stats.untracked_samples += s.verdict == Verdict::untracked;
    return s;
  }
  Result<size_t> receive(const Handlers& handlers, std::chrono::milliseconds timeout) noexcept;
  bool wait_if_nonblocking(std::chrono::milliseconds timeout) noexcept;
  static bool sleep_for(std::chrono::microseconds pause) noexcept;
};

}  // namespace psample
