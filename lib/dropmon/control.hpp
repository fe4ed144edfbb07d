// psample-cpp drop monitor, layer 3 (private): the drop monitor's requests
// (CONFIG, START, STOP, CONFIG_GET, STATS_GET) over a socket of their own,
// so that replies never mix with the events the receive socket queues.
#pragma once

#include <cstdint>

#include "psample/dropmon/decode.hpp"
#include "psample/dropmon/protocol.hpp"
#include "psample/heap.hpp"
#include "psample/netlink/socket.hpp"
#include "psample/result.hpp"

namespace psample::dropmon::detail {

class Control {
 public:
  // Opens its socket and buffer on first use.
  explicit Control(uint16_t family_id) noexcept : family_id_(family_id) {}
  void set_family(uint16_t family_id) noexcept { family_id_ = family_id; }

  // CONFIG with these settings (queue_len 0: not sent). EBUSY while monitoring.
  Result<void> configure(AlertMode mode, uint32_t trunc_len, uint32_t queue_len) noexcept;
  // CONFIG with no attributes: changes nothing; EBUSY tells that it monitors.
  Result<void> probe() noexcept;
  // START / STOP of software or hardware drops (one flag per request).
  Result<void> start(bool hardware) noexcept;
  Result<void> stop(bool hardware) noexcept;
  Result<Config> config() noexcept;
  Result<QueueStats> stats() noexcept;

 private:
  // Sends `command` with the given flag attributes (0: none) and reads its
  // answer; `on_reply` takes a reply message (may be null for an ACK only).
  template <class OnReply>
  Result<void> request(Command command, const char* what, uint16_t flag, bool configure, AlertMode mode,
                       uint32_t trunc_len, uint32_t queue_len, OnReply&& on_reply) noexcept;
  Result<void> ready() noexcept;

  uint16_t family_id_;
  netlink::Socket socket_;
  MallocArray<uint8_t> buffer_;
};

// The text of a command, "NET_DM_CMD_START".
const char* command_name(Command command) noexcept;

}  // namespace psample::dropmon::detail
