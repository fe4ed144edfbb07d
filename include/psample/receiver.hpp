// psample-cpp layer 3: the Receiver, joining psample's "packets" group.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/function_ref.hpp"
#include "psample/group_filter.hpp"
#include "psample/group_info.hpp"
#include "psample/netlink/genl_controller.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/packet_view.hpp"
#include "psample/result.hpp"
#include "psample/sample_sequence.hpp"

namespace psample {

// How to open a Receiver. The defaults suit a monitoring agent.
struct ReceiverOptions {
  // Receive buffer to ask for, in bytes; 0 keeps the kernel default (about
  // 208 KiB). Uses SO_RCVBUFFORCE when privileged, else SO_RCVBUF (capped by
  // net.core.rmem_max). The kernel doubles the request and charges only what
  // is queued: the default lets up to 8 MiB of samples wait during a burst,
  // and costs nothing while the queue is empty. Lower it on a small box.
  int receive_buffer_bytes = 4 << 20;
  // NETLINK_NO_ENOBUFS: overruns are then silent (stats().overruns stays 0;
  // kernel_drops and sequence gaps still show the loss).
  bool no_enobufs = false;
  // NETLINK_EXT_ACK: kernel error text in errors.
  bool extended_ack = true;
  // Deliver samples from user-space producers (sender port id != 0), e.g. the
  // VPP sFlow plugin. Off: they are ignored and counted in ignored_sender.
  bool accept_userspace = false;
  // Also join "config" and report NEW_GROUP / DEL_GROUP to the group handler.
  // Off: group messages (also those a user-space sender puts on "packets")
  // never reach a handler and count as ignored_command.
  bool config_events = false;
  // Most datagrams one receive() call drains before returning, so a flood
  // cannot keep the caller inside receive() forever.
  size_t max_batch = 256;
  // Datagrams one recvmmsg syscall can take when a queue has built up
  // (1-1024). Each is a slot of max_sample_datagram bytes in the receive
  // buffer: address space reserved once, resident only where datagrams land
  // (about a page per slot used, for samples below 4 KiB). 1: one recvfrom
  // per datagram always, and a 64 KiB buffer.
  size_t datagrams_per_syscall = 16;
  // Interrupt moderation. When a receive() call took what was queued and
  // samples were flowing, the next call first sleeps up to this long, so the
  // samples that arrive meanwhile are taken by one recvmmsg instead of one
  // wakeup and syscall each. The sleep looks at the socket's queue in steps
  // and ends once it holds an eighth of the buffer, so it does not overflow
  // a small buffer (README, "Under load", says how the steps are chosen).
  // Costs up to this much latency per sample. 0 (or datagrams_per_syscall
  // 1): read each datagram as it comes. 0 to 100,000 us; calls with a zero
  // timeout (an event loop's poll) never sleep.
  std::chrono::microseconds coalesce{1000};
  // The largest datagram to take, in bytes: each slot's size (8,192 to
  // max_sample_datagram). A longer datagram is skipped and counted in
  // truncated, so only lower it when samples are known to be short (tc
  // `sample trunc`, a driver's truncation): 8,192 holds a sample with about
  // 8 KB of DATA. The default never loses a jumbo sample.
  size_t datagram_bytes = max_sample_datagram;
  // Deliver only these sample groups (empty: all; at most max_filter_groups).
  // Filtered in the kernel by a cBPF socket filter, so other groups never
  // fill the socket buffer.
  GroupList groups;
  // Watch nlctrl's "notify" group: when the psample module is unloaded and
  // loaded again (memberships are dropped, ids may change), re-resolve the
  // family and rejoin its groups, without the caller reopening anything.
  bool follow_module_reload = true;
};

// Counters since open(). All are totals, never reset.
struct ReceiverStats {
  uint64_t samples = 0;          // delivered to the handler
  uint64_t bytes = 0;            // DATA bytes delivered
  uint64_t overruns = 0;         // ENOBUFS reports: the socket buffer overflowed
  uint64_t truncated = 0;        // datagrams larger than the receive buffer (dropped unparsed)
  uint64_t malformed = 0;        // messages or datagrams that broke the structure rules
  uint64_t ignored_sender = 0;   // samples from user-space producers, not accepted
  uint64_t ignored_command = 0;  // psample messages that are not samples (or group events nobody asked for)
  uint64_t ignored_family = 0;   // messages of another family or control messages (NLMSG_ERROR, OVERRUN...)
  uint64_t group_events = 0;     // NEW_GROUP / DEL_GROUP delivered
  // Estimated from GROUP_SEQ, per group: a forward gap of up to
  // max_sequence_jump counts as that many losses; a late sample (up to 63
  // behind the highest seen) takes its loss back; a repeated number is a
  // duplicate; a larger jump forwards, or two samples in a row far behind
  // (the group started again), is a resynchronisation, not loss. Error
  // bounds: a sample later than 63 stays counted lost; one that arrives
  // before a group's first sample seen counts as a duplicate; more than
  // max_sequence_jump lost in one gap count 0. kernel_drops is exact.
  uint64_t lost = 0;
  uint64_t duplicates = 0;        // samples whose GROUP_SEQ was already seen (the kernel repeats one now and then)
  uint64_t sequence_resyncs = 0;  // jumps the estimate did not count as loss (see lost)
  // Samples delivered but outside the loss estimate: groups beyond
  // max_tracked_groups, and SAMPLE_PROBABILITY samples (Open vSwitch's
  // psample action keeps no sequence: their GROUP_SEQ is always 0).
  uint64_t untracked_samples = 0;
  uint64_t controller_events = 0;  // nlctrl notifications about psample that were acted on
  uint64_t family_removed = 0;     // psample unregistered (module unloaded) while open
  uint64_t resubscriptions = 0;    // psample registered again and "packets" was rejoined
  // The kernel's exact drop count for this socket (/proc/net/netlink), when readable.
  std::optional<uint64_t> kernel_drops;

  uint64_t ignored() const noexcept { return ignored_sender + ignored_command + ignored_family; }
};

// Per-group sequence accounting, as seen by one Receiver.
struct GroupCounters {
  uint32_t group = 0;
  uint64_t samples = 0;     // delivered samples of this group
  uint64_t lost = 0;        // estimated losses (ReceiverStats::lost's rules)
  uint32_t last_seq = 0;    // highest GROUP_SEQ seen (modulo 2^32)
  uint64_t duplicates = 0;  // sequence numbers seen twice
  uint64_t resyncs = 0;     // jumps not counted as loss
};

// A GROUP_SEQ jump larger than this (forwards) is a resynchronisation, not loss.
constexpr uint32_t max_sequence_jump = 1u << 16;
// Groups whose sequence numbers a Receiver tracks; samples of more groups are
// delivered and counted in untracked_samples. Bounds the tracker at 144 KiB.
constexpr size_t max_tracked_groups = 1024;

// Receives psample samples. Move-only; owns its socket and one receive buffer
// of datagrams_per_syscall slots of max_sample_datagram bytes, reused.
//
//   auto r = psample::Receiver::open({});
//   if (!r) { fprintf(stderr, "%s\n", r.error().message()); return 1; }
//   r->receive([](const psample::PacketView& p) { ... }, std::chrono::milliseconds(500));
class PSAMPLE_API Receiver {
 public:
  using SampleHandler = FunctionRef<void(const PacketView&)>;
  // A sample handler that also learns what the loss estimate decided about
  // the sample in hand (how many of its group went missing just before it, a
  // late or duplicate sample, a restart): loss told with each sample, when it
  // happens. Pass a lambda taking (const PacketView&, const SampleSequence&)
  // wherever a SampleHandler goes. A handler that takes only the view costs
  // nothing extra.
  using SequencedSampleHandler = FunctionRef<void(const PacketView&, const SampleSequence&)>;
  using GroupHandler = FunctionRef<void(const GroupInfo&)>;

  // Resolves "psample", joins "packets" (and "config" if asked), applies the
  // options. Errors: family_not_found (psample module not loaded),
  // permission_denied (joining "packets" needs CAP_NET_ADMIN on kernels >= 6.7).
  static Result<Receiver> open(const ReceiverOptions& options = {}) noexcept;

  // A Receiver without a socket, for feeding it datagrams from elsewhere
  // (replay, tests, benchmarks) through process(). `family_id` plays the role
  // of the resolved psample family id.
  // Errors: invalid_argument (options open() rejects), system (out of memory).
  static Result<Receiver> detached(uint16_t family_id, const ReceiverOptions& options = {}) noexcept;

  // A Receiver reading a socket you opened and set up yourself (joined, or
  // addressed by a user-space producer's unicast): no family resolution, no
  // joins, no socket options applied; receive() works as after open(), and
  // messages of `family_id` are psample's. For setups open() does not cover,
  // and for testing the receive loop without psample.
  // Errors: invalid_argument (a closed socket, or options open() rejects).
  static Result<Receiver> adopt(netlink::Socket socket, uint16_t family_id,
                                const ReceiverOptions& options = {}) noexcept;

  Receiver(Receiver&&) noexcept;
  Receiver& operator=(Receiver&&) noexcept;
  ~Receiver();

  // Waits up to `timeout` (negative: forever; 0: not at all) for the first
  // datagram, then takes what else is queued without waiting, calling
  // `on_sample` for each sample (the view is valid during the call only).
  // If the call before it delivered samples and emptied the queue, it first
  // sleeps up to `coalesce` (so it may wait up to timeout + coalesce). It takes up
  // to datagrams_per_syscall per recvmmsg, and at most max_batch datagrams
  // per call; with coalesce 0, while samples come one at a time it returns
  // after each (one recvfrom per sample). So it may return with datagrams still
  // queued: call it again (with epoll, edge-triggered users call it with a
  // zero timeout until it returns 0). Returns how many samples were
  // delivered: 0 when nothing deliverable arrived in time. Bad input is
  // counted and skipped; overruns are counted.
  // Errors: interrupted (a signal arrived while waiting), system.
  Result<size_t> receive(SampleHandler on_sample, std::chrono::milliseconds timeout) noexcept {
    return receive_with({&on_sample, nullptr, nullptr}, timeout);
  }
  Result<size_t> receive(SequencedSampleHandler on_sample, std::chrono::milliseconds timeout) noexcept {
    return receive_with({nullptr, &on_sample, nullptr}, timeout);
  }
  // The same, with group events (config_events) passed to `on_group`.
  Result<size_t> receive(SampleHandler on_sample, GroupHandler on_group, std::chrono::milliseconds timeout) noexcept {
    return receive_with({&on_sample, nullptr, &on_group}, timeout);
  }
  Result<size_t> receive(SequencedSampleHandler on_sample, GroupHandler on_group,
                         std::chrono::milliseconds timeout) noexcept {
    return receive_with({nullptr, &on_sample, &on_group}, timeout);
  }

  // Handles one datagram received elsewhere, exactly as receive() would.
  // Returns the samples delivered.
  size_t process(ByteView datagram, uint32_t sender_port, SampleHandler on_sample) noexcept {
    return process_with(datagram, sender_port, {&on_sample, nullptr, nullptr});
  }
  size_t process(ByteView datagram, uint32_t sender_port, SequencedSampleHandler on_sample) noexcept {
    return process_with(datagram, sender_port, {nullptr, &on_sample, nullptr});
  }
  size_t process(ByteView datagram, uint32_t sender_port, SampleHandler on_sample, GroupHandler on_group) noexcept {
    return process_with(datagram, sender_port, {&on_sample, nullptr, &on_group});
  }
  size_t process(ByteView datagram, uint32_t sender_port, SequencedSampleHandler on_sample,
                 GroupHandler on_group) noexcept {
    return process_with(datagram, sender_port, {nullptr, &on_sample, &on_group});
  }

  // Counters. Reads /proc/net/netlink for kernel_drops.
  ReceiverStats stats() const noexcept;

  // Samples and estimated losses per tracked group, in order of first
  // appearance, into `counters` (the first `capacity`). Returns how many
  // groups are tracked (at most max_tracked_groups).
  size_t group_counters(GroupCounters* counters, size_t capacity) const noexcept;

  // The groups the kernel knows now, as list_groups() gives them (a
  // GET_GROUP dump over a separate socket, into a 16 KiB buffer this
  // Receiver allocates on the first call and keeps). Returns how many groups
  // the kernel has; the first `capacity` are in `groups`.
  Result<size_t> groups(GroupInfo* groups, size_t capacity) const noexcept;

  // The socket's fd, for poll/epoll (-1 when detached).
  int fd() const noexcept;
  // The receive buffer size in effect, as the kernel reports it.
  int receive_buffer_bytes() const noexcept;
  const netlink::FamilyInfo& family() const noexcept;

 private:
  struct State;
  // A State lives in memory from malloc (see psample/heap.hpp).
  struct PSAMPLE_LOCAL StateDeleter {
    void operator()(State* state) const noexcept;
  };
  using StatePtr = std::unique_ptr<State, StateDeleter>;
  PSAMPLE_LOCAL explicit Receiver(StatePtr state) noexcept;
  PSAMPLE_LOCAL static Result<Receiver> start(const ReceiverOptions& options, size_t slots, netlink::Socket socket,
                                              uint16_t family_id, bool open) noexcept;
  // The handlers of one call: exactly one of `sample` and `sequenced`;
  // `group` may be null.
  struct Handlers {
    const SampleHandler* sample;
    const SequencedSampleHandler* sequenced;
    const GroupHandler* group;
  };
  // The overloads above in one place each.
  Result<size_t> receive_with(const Handlers& handlers, std::chrono::milliseconds timeout) noexcept;
  size_t process_with(ByteView datagram, uint32_t sender_port, const Handlers& handlers) noexcept;
  StatePtr state_;
};

}  // namespace psample
