// psample-cpp drop monitor, layer 3: NET_DM's messages of one datagram, to
// the handlers (the event core walks the datagram and takes nlctrl's news).
#include <ctime>

#include "dropmon/dropmon_state.hpp"
#include "psample/dropmon/decode.hpp"

namespace psample::dropmon {

bool DropMonitor::State::admit(const DropView& drop) noexcept {
  if (options.rate_limit == 0) return true;
  uint64_t second;
  if (drop.has(attr::timestamp)) {
    second = drop.timestamp_ns() / 1000000000u;
  } else {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    second = static_cast<uint64_t>(now.tv_sec);
  }
  // Drops reach us from several CPUs' queues, slightly out of time order: a
  // drop from an earlier second counts in the window now open.
  if (second > window_second) {
    window_second = second;
    window_delivered = 0;
  }
  if (window_delivered >= options.rate_limit) return false;
  ++window_delivered;
  return true;
}

size_t DropMonitor::State::process(ByteView datagram, uint32_t sender_port, DropHandler on_drop,
                                   const SummaryHandler* on_summary) noexcept {
  auto dispatch = [&](const netlink::Message& message) -> size_t {
    if (sender_port != 0) {
      ++stats.ignored_sender;
      return 0;
    }
    const int command = netlink::genl_command(message);
    if (command == static_cast<int>(Command::packet_alert)) {
      auto drop = decode_drop(message);
      if (!drop) {
        ++stats.malformed;
        return 0;
      }
      if (!admit(*drop)) {
        ++stats.rate_limited;
        return 0;
      }
      ++stats.drops;
      stats.bytes += drop->payload().size();
      on_drop(*drop);
      return 1;
    }
    if (command == static_cast<int>(Command::alert)) {
      auto summary = decode_summary(message);
      if (!summary) {
        ++stats.malformed;
        return 0;
      }
      ++stats.summaries;
      stats.summary_drops += summary->total();
      if (on_summary != nullptr) (*on_summary)(*summary);
      return 0;
    }
    if (command < 0)
      ++stats.malformed;
    else
      ++stats.ignored_command;
    return 0;
  };
  return core.for_each_message(datagram, sender_port, dispatch);
}

}  // namespace psample::dropmon
