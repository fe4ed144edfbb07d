// psample-cpp drop monitor, layer 2: decoding NET_DM messages. No syscalls,
// no allocation. Every attribute is checked against drop_attributes (and the
// nested sets) before it is read; nothing outside the message is read.
#pragma once

#include <cstdint>

#include "psample/bytes.hpp"
#include "psample/dropmon/drop_view.hpp"
#include "psample/dropmon/protocol.hpp"
#include "psample/dropmon/summary_view.hpp"
#include "psample/netlink/message.hpp"
#include "psample/result.hpp"

namespace psample::dropmon {

// One PACKET_ALERT (a netlink message, nlmsghdr first). Unknown attributes
// are skipped. Errors: malformed (broken framing, or a known attribute of
// impossible width, named), not_a_sample (another NET_DM command).
Result<DropView> decode_drop(ByteView message) noexcept;
// The same for a message netlink::MessageReader produced.
Result<DropView> decode_drop(const netlink::Message& message) noexcept;

// One ALERT (summary mode), software or hardware. Errors as decode_drop().
Result<SummaryView> decode_summary(const netlink::Message& message) noexcept;

// The drop monitor's settings, as CONFIG_NEW reports them.
struct Config {
  AlertMode alert_mode = AlertMode::summary;
  uint32_t trunc_len = 0;  // 0: whole packets
  uint32_t queue_len = 0;  // per-CPU queue of packets waiting to be reported
};
Result<Config> decode_config(const netlink::Message& message) noexcept;

// The kernel queue's drop counts, as STATS_NEW reports them (totals since
// the module loaded).
struct QueueStats {
  uint64_t software_dropped = 0;
  uint64_t hardware_dropped = 0;
};
Result<QueueStats> decode_stats(const netlink::Message& message) noexcept;

}  // namespace psample::dropmon
