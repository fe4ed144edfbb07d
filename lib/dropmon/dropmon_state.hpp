// psample-cpp drop monitor, layer 3 (private): what a DropMonitor holds: the
// event core (lib/events/) with NET_DM's description, the control requests,
// what owner mode started, and the drop monitor's own books. The files:
// - drop_monitor.cpp: open, owner mode, stop, stats, accessors;
// - dispatch.cpp: one datagram's NET_DM messages to the handlers;
// - control.cpp: the requests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "dropmon/control.hpp"
#include "events/event_core.hpp"
#include "psample/dropmon/drop_monitor.hpp"

namespace psample::dropmon {

namespace detail {
// NET_DM's description (drop_monitor.cpp).
extern const events::FamilyDescription drop_monitor_events;
}  // namespace detail

struct DropMonitor::State {
  State(const DropMonitorOptions& chosen, size_t slots) noexcept
      : options(chosen), core(events::core_options_of(chosen), slots), control(0) {}

  DropMonitorOptions options;
  events::EventCore core;
  detail::Control control;  // its family id is set once the family is known
  DropMonitorStats stats;   // the drop monitor's counters; the core's are added in stats()
  bool started_software = false;
  bool started_hardware = false;
  char start_note[160] = {};
  // The kernel queue's counts at open, for the deltas.
  std::optional<QueueStats> queue_baseline;
  // The rate limit's window: the second of drop time it counts, and how many
  // drops it has delivered in it.
  uint64_t window_second = 0;
  uint32_t window_delivered = 0;

  // Owner mode: configure when nobody monitors, start what was asked, and
  // note whatever someone else already runs (drop_monitor.cpp).
  Result<void> take_ownership() noexcept;
  size_t process(ByteView datagram, uint32_t sender_port, DropHandler on_drop,
                 const SummaryHandler* on_summary) noexcept;
  // False when the rate limit holds this drop back.
  bool admit(const DropView& drop) noexcept;
};

}  // namespace psample::dropmon
