// psample-cpp drop monitor, layer 3: DropMonitor, the kernel's drop monitor
// (NET_DM) as a client of the same receive core as the Receiver.
//
// The drop monitor is one switch for the whole machine: whoever starts it
// starts it for every listener, and a STOP ends it for all. A DropMonitor
// therefore changes nothing unless asked (passive: it joins "events" and
// listens), and in owner mode it stops on close only what it started itself;
// when another program already monitors, it listens without taking over.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "psample/bytes.hpp"
#include "psample/dropmon/decode.hpp"
#include "psample/dropmon/drop_view.hpp"
#include "psample/dropmon/protocol.hpp"
#include "psample/dropmon/summary_view.hpp"
#include "psample/function_ref.hpp"
#include "psample/netlink/genl_controller.hpp"
#include "psample/result.hpp"

namespace psample::dropmon {

struct DropMonitorOptions {
  // The receive side, as in psample::ReceiverOptions (see its comments).
  int receive_buffer_bytes = 4 << 20;
  bool no_enobufs = false;
  bool extended_ack = true;
  size_t max_batch = 256;
  size_t datagrams_per_syscall = 16;
  std::chrono::microseconds coalesce{1000};
  size_t datagram_bytes = max_drop_datagram;  // 8,192 to max_drop_datagram
  bool follow_module_reload = true;

  // Owner mode: what this monitor starts (neither: passive, the default).
  // Starting needs CAP_NET_ADMIN.
  bool start_software = false;  // drops the kernel's code makes (kfree_skb with a reason)
  bool start_hardware = false;  // drops devices trap to the CPU (devlink traps)
  // Applied (CONFIG) before starting, when nobody monitors yet; when someone
  // does, their settings stay and this monitor listens to what they chose.
  AlertMode alert_mode = AlertMode::packet;
  uint32_t trunc_len = 0;  // payload bytes per drop (0: whole packets)
  uint32_t queue_len = 0;  // the kernel's per-CPU queue (0: keep its setting, 1000 by default)

  // At most this many drops delivered per second of drop time (the drops'
  // timestamps); the rest are counted in rate_limited, not delivered. 0: no limit.
  uint32_t rate_limit = 0;
};

// Counters since open(). All are totals, never reset.
struct DropMonitorStats {
  uint64_t drops = 0;            // packet alerts delivered
  uint64_t bytes = 0;            // payload bytes delivered
  uint64_t rate_limited = 0;     // packet alerts past rate_limit, not delivered
  uint64_t summaries = 0;        // summary alerts received
  uint64_t summary_drops = 0;    // the drops they count
  uint64_t overruns = 0;         // ENOBUFS reports: the socket buffer overflowed
  uint64_t truncated = 0;        // datagrams larger than datagram_bytes (dropped unparsed)
  uint64_t malformed = 0;        // messages that broke the rules
  uint64_t ignored_sender = 0;   // NET_DM messages from user space (only the kernel sends drops)
  uint64_t ignored_command = 0;  // other NET_DM commands
  uint64_t ignored_family = 0;   // messages of another family, control messages
  uint64_t controller_events = 0;
  uint64_t family_removed = 0;   // drop_monitor unloaded while open
  uint64_t resubscriptions = 0;  // drop_monitor loaded again and "events" rejoined
  // The kernel queue's drops since open (STATS_GET, now minus at open): drops
  // that happened but were never reported because the per-CPU queue was full.
  // Empty when STATS_GET failed.
  std::optional<uint64_t> queue_drops;
  std::optional<uint64_t> hardware_queue_drops;
  // The kernel's exact count of messages it dropped for this socket.
  std::optional<uint64_t> kernel_drops;

  // Every drop that happened and was not delivered, as far as it can be told.
  uint64_t lost() const noexcept {
    return rate_limited + queue_drops.value_or(0) + hardware_queue_drops.value_or(0) + kernel_drops.value_or(0);
  }
};

// What the kernel's drop monitor is doing now.
struct MonitorState {
  Config config;
  // Whether it monitors (software or hardware), probed with an empty CONFIG
  // (which changes nothing and is refused with EBUSY while it monitors);
  // empty without CAP_NET_ADMIN.
  std::optional<bool> monitoring;
};

class DropMonitor {
 public:
  using DropHandler = FunctionRef<void(const DropView&)>;
  using SummaryHandler = FunctionRef<void(const SummaryView&)>;

  // Resolves "NET_DM", joins "events" and, in owner mode, configures and
  // starts what the options ask for. Errors: family_not_found (module not
  // loaded, or not the initial network namespace, said which),
  // permission_denied (joining needs CAP_SYS_ADMIN on recent kernels,
  // starting CAP_NET_ADMIN), kernel_error.
  static Result<DropMonitor> open(const DropMonitorOptions& options = {}) noexcept;
  // Without a socket, for datagrams from elsewhere (captures, tests) through
  // process(); `family_id` plays the resolved NET_DM id.
  static Result<DropMonitor> detached(uint16_t family_id, const DropMonitorOptions& options = {}) noexcept;

  DropMonitor(DropMonitor&&) noexcept;
  DropMonitor& operator=(DropMonitor&&) noexcept;
  // Stops what this monitor started (stop()).
  ~DropMonitor();

  // As Receiver::receive(): waits up to `timeout` for the first datagram,
  // takes what else is queued, hands each drop to `on_drop` (and each
  // summary alert to `on_summary`; without one they are counted only).
  // Returns the drops delivered.
  Result<size_t> receive(DropHandler on_drop, std::chrono::milliseconds timeout) noexcept {
    return receive_with(on_drop, nullptr, timeout);
  }
  Result<size_t> receive(DropHandler on_drop, SummaryHandler on_summary, std::chrono::milliseconds timeout) noexcept {
    return receive_with(on_drop, &on_summary, timeout);
  }
  // One datagram received elsewhere, exactly as receive() would handle it.
  size_t process(ByteView datagram, uint32_t sender_port, DropHandler on_drop) noexcept {
    return process_with(datagram, sender_port, on_drop, nullptr);
  }
  size_t process(ByteView datagram, uint32_t sender_port, DropHandler on_drop, SummaryHandler on_summary) noexcept {
    return process_with(datagram, sender_port, on_drop, &on_summary);
  }

  // Counters; asks the kernel for its queue drops (STATS_GET) when open.
  DropMonitorStats stats() const noexcept;
  // The kernel's settings and whether it monitors (CONFIG_GET and a probe).
  Result<MonitorState> state() const noexcept;

  // What this monitor started (owner mode), and so will stop.
  bool started_software() const noexcept;
  bool started_hardware() const noexcept;
  // What owner mode found, for a person: "" when it started all it was
  // asked to, else e.g. "software drops were already being monitored by
  // another program: listening to them without taking over".
  const char* start_note() const noexcept;
  // Stops what this monitor started, nothing else; then it listens on,
  // passively. Safe to call twice.
  Result<void> stop() noexcept;

  int fd() const noexcept;  // -1 when detached
  int receive_buffer_bytes() const noexcept;
  const netlink::FamilyInfo& family() const noexcept;

 private:
  struct State;
  struct StateDeleter {
    void operator()(State* state) const noexcept;
  };
  using StatePtr = std::unique_ptr<State, StateDeleter>;
  explicit DropMonitor(StatePtr state) noexcept;
  Result<size_t> receive_with(DropHandler on_drop, const SummaryHandler* on_summary,
                              std::chrono::milliseconds timeout) noexcept;
  size_t process_with(ByteView datagram, uint32_t sender_port, DropHandler on_drop,
                      const SummaryHandler* on_summary) noexcept;
  StatePtr state_;
};

}  // namespace psample::dropmon
