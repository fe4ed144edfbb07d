// psample-cpp layer 3 (private): the receive core every generic netlink event
// source shares. It knows no psample: one netlink socket, the datagram batch,
// the receive loop with its coalescing and no-poll discipline
// (receive_loop.cpp), the family's groups joined and followed through module
// unload and reload (event_core.cpp), overruns, truncation and framing
// faults counted. A source gives it a FamilyDescription and dispatches its
// own family's messages (for_each_message()).
//
// Files a source adds: its description and dispatch (lib/receiver/ for
// psample), its attribute table and view (decode), its tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "events/event_family.hpp"
#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/function_ref.hpp"
#include "psample/netlink/datagram_batch.hpp"
#include "psample/netlink/genl_controller.hpp"
#include "psample/netlink/message.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/result.hpp"

namespace psample::events {

// The core's settings: ReceiverOptions' generic half (its comments say what each does).
struct CoreOptions {
  int receive_buffer_bytes = 4 << 20;
  bool no_enobufs = false;
  bool extended_ack = true;
  size_t max_batch = 256;
  size_t datagrams_per_syscall = 16;
  std::chrono::microseconds coalesce{1000};
  size_t datagram_bytes = 65556;
  bool follow_module_reload = true;
};

// What the core counts; a source adds its own counters beside these.
// A source's options (ReceiverOptions, DropMonitorOptions) carry the core's
// settings under the same names.
template <class SourceOptions>
CoreOptions core_options_of(const SourceOptions& o) noexcept {
  CoreOptions c;
  c.receive_buffer_bytes = o.receive_buffer_bytes;
  c.no_enobufs = o.no_enobufs;
  c.extended_ack = o.extended_ack;
  c.max_batch = o.max_batch;
  c.datagrams_per_syscall = o.datagrams_per_syscall;
  c.coalesce = o.coalesce;
  c.datagram_bytes = o.datagram_bytes;
  c.follow_module_reload = o.follow_module_reload;
  return c;
}

struct CoreCounters {
  uint64_t overruns = 0;           // ENOBUFS reports
  uint64_t truncated = 0;          // datagrams larger than a slot
  uint64_t malformed = 0;          // datagrams whose framing broke, bad controller messages
  uint64_t ignored_family = 0;     // messages of another family, control messages
  uint64_t controller_events = 0;  // nlctrl news about our family, acted on
  uint64_t family_removed = 0;     // the family unregistered while open
  uint64_t resubscriptions = 0;    // the family registered again and its first group was rejoined
};

// Exported from the shared library for the library's other clients (the
// drop monitor's static library); its header stays private.
class PSAMPLE_API EventCore {
 public:
  // `slots`: datagrams per recvmmsg (0: detached, receives nothing).
  EventCore(const CoreOptions& chosen, size_t slots) noexcept : options(chosen), batch(slots, chosen.datagram_bytes) {}

  // The options' limits (datagrams_per_syscall, max_batch, datagram_bytes
  // up to `max_datagram`, coalesce), with the error text that names them.
  static Result<void> validate(const CoreOptions& options, size_t max_datagram) noexcept;
  // Opens a socket, resolves the family, applies the options, follows nlctrl
  // when asked, joins the description's groups. `description` must outlive
  // the core; `filter_context` goes to its attach_filter.
  Result<void> open(const FamilyDescription& description, const void* filter_context) noexcept;
  // Without open(): a socket someone else set up (no resolution, no joins,
  // no options), or none (`socket` closed: fed through for_each_message()
  // only, keeping the same books).
  Result<void> attach(const FamilyDescription& description, netlink::Socket adopted, uint16_t family_id) noexcept;
  bool allocated(size_t slots) const noexcept { return batch.slots() == slots; }

  // Receives as Receiver::receive() says, handing each datagram to
  // `on_datagram(bytes, sender port)`, which returns the events it delivered.
  Result<size_t> receive(FunctionRef<size_t(ByteView, uint32_t)> on_datagram,
                         std::chrono::milliseconds timeout) noexcept;

  // The messages of one datagram: the family's to `on_message(message)`
  // (which returns the events it delivered), nlctrl's news about the family
  // to the core, anything else counted as ignored. Inline: the source's
  // dispatch is compiled into the walk.
  template <class OnMessage>
  size_t for_each_message(ByteView datagram, uint32_t sender_port, OnMessage&& on_message) noexcept {
    size_t delivered = 0;
    netlink::MessageReader messages(datagram);
    netlink::Message message;
    while (messages.next(message)) {
      if (message.type == family.id) {
        delivered += on_message(message);
      } else if (message.type == netlink::genl_controller_id && options.follow_module_reload && sender_port == 0) {
        on_controller_message(message);
      } else {
        ++counters.ignored_family;  // NLMSG_ERROR / OVERRUN / DONE in the stream, or another family
      }
    }
    if (messages.failed()) ++counters.malformed;
    return delivered;
  }

  CoreOptions options;
  const FamilyDescription* description = nullptr;
  const void* filter_context = nullptr;
  netlink::Socket socket;
  netlink::FamilyInfo family;
  int receive_buffer_bytes = 0;
  netlink::DatagramBatch batch;  // datagrams_per_syscall slots of datagram_bytes
  CoreCounters counters;

 private:
  PSAMPLE_LOCAL Result<void> subscribe(bool force) noexcept;
  void on_controller_message(const netlink::Message& message) noexcept;
  PSAMPLE_LOCAL bool wait_if_nonblocking(std::chrono::milliseconds timeout) noexcept;
  PSAMPLE_LOCAL bool coalesce_sleep(std::chrono::microseconds pause) noexcept;

  // Group ids we are members of, per description group (0: none). Detached,
  // the core keeps the same books, so reload handling can be tested.
  uint32_t joined_[FamilyDescription::max_groups] = {};
  std::chrono::milliseconds socket_timeout_{0};  // SO_RCVTIMEO in effect (0: never set)
  bool batching_ = false;                        // batch mode (recvmmsg) rather than single (recvfrom)
  unsigned singles_ = 0;                         // receives in single mode, for the probe every 16
  bool pause_next_ = false;                      // the last call delivered and emptied the queue: coalesce first
  static constexpr unsigned char max_step_shift = 4;
  // The coalescing sleep's steps: coalesce >> step_shift_. The shortest
  // first: a new receiver knows nothing of the rate yet.
  unsigned char step_shift_ = max_step_shift;
  unsigned char unpaused_calls_ = 0;  // after an overrun: calls that do not sleep
};

// A source's stats (ReceiverStats, DropMonitorStats) name the core's counters
// alike: copies them in (the socket's kernel_drops() the caller reads).
template <class SourceStats>
void add_core_counters(SourceStats& stats, const CoreCounters& c) noexcept {
  stats.overruns = c.overruns;
  stats.truncated = c.truncated;
  stats.malformed += c.malformed;
  stats.ignored_family = c.ignored_family;
  stats.controller_events = c.controller_events;
  stats.family_removed = c.family_removed;
  stats.resubscriptions = c.resubscriptions;
}

}  // namespace psample::events
