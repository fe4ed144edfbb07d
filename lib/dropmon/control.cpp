// psample-cpp drop monitor, layer 3: the drop monitor's requests.
#include "dropmon/control.hpp"

#include <linux/netlink.h>

#include <cerrno>

#include "psample/netlink/message.hpp"
#include "psample/netlink/request_builder.hpp"
#include "psample/netlink/request_layout.hpp"

namespace psample::dropmon::detail {

namespace {

constexpr size_t reply_buffer_bytes = 8192;
constexpr netlink::RequestLayout layout{netlink::genl_header_size, attr::name};

}  // namespace

const char* command_name(Command command) noexcept {
  switch (command) {
    case Command::alert: return "NET_DM_CMD_ALERT";
    case Command::config: return "NET_DM_CMD_CONFIG";
    case Command::start: return "NET_DM_CMD_START";
    case Command::stop: return "NET_DM_CMD_STOP";
    case Command::packet_alert: return "NET_DM_CMD_PACKET_ALERT";
    case Command::config_get: return "NET_DM_CMD_CONFIG_GET";
    case Command::config_new: return "NET_DM_CMD_CONFIG_NEW";
    case Command::stats_get: return "NET_DM_CMD_STATS_GET";
    case Command::stats_new: return "NET_DM_CMD_STATS_NEW";
  }
  return "NET_DM command";
}

Result<void> Control::ready() noexcept {
  if (socket_.is_open()) return {};
  if (!buffer_) buffer_ = allocate_bytes(reply_buffer_bytes);
  if (!buffer_)
    return Error(ErrorCode::system, ENOMEM, "out of memory for a %zu-byte reply buffer", reply_buffer_bytes);
  auto opened = netlink::Socket::open(NETLINK_GENERIC);
  if (!opened) return opened.error();
  socket_ = std::move(*opened);
  (void)socket_.set_extended_ack(true);  // only improves error text
  return {};
}

template <class OnReply>
Result<void> Control::request(Command command, const char* what, uint16_t flag, bool configure, AlertMode mode,
                              uint32_t trunc_len, uint32_t queue_len, OnReply&& on_reply) noexcept {
  if (auto r = ready(); !r) return r;
  uint8_t request_buffer[64];
  netlink::RequestBuilder builder(MutableByteView(request_buffer, sizeof request_buffer));
  const bool asks = command == Command::config_get || command == Command::stats_get;
  builder.begin(family_id_, static_cast<uint16_t>(netlink::flag_request | (asks ? 0 : netlink::flag_ack)),
                socket_.next_sequence());
  builder.put_genl_header(static_cast<uint8_t>(command), family_version);
  if (flag != 0) builder.put_flag(flag);
  if (configure) {
    builder.put_u8(attr::alert_mode, static_cast<uint8_t>(mode));
    builder.put_u32(attr::trunc_len, trunc_len);
    if (queue_len != 0) builder.put_u32(attr::queue_len, queue_len);
  }
  auto message = builder.finish();
  if (!message) return message.error();
  return netlink::exchange(
      socket_, *message, MutableByteView(buffer_.get(), reply_buffer_bytes), what,
      [&](const netlink::Message& reply) -> Result<void> {
        if (reply.type != family_id_) return {};
        return on_reply(reply);
      },
      layout);
}

namespace {
auto ignore_reply = [](const netlink::Message&) { return Result<void>(); };
}

Result<void> Control::configure(AlertMode mode, uint32_t trunc_len, uint32_t queue_len) noexcept {
  return request(Command::config, "NET_DM_CMD_CONFIG", 0, true, mode, trunc_len, queue_len, ignore_reply);
}

Result<void> Control::probe() noexcept {
  return request(Command::config, "NET_DM_CMD_CONFIG", 0, false, AlertMode::summary, 0, 0, ignore_reply);
}

Result<void> Control::start(bool hardware) noexcept {
  return request(Command::start, hardware ? "NET_DM_CMD_START (hardware drops)" : "NET_DM_CMD_START (software drops)",
                 hardware ? attr::hw_drops : attr::sw_drops, false, AlertMode::summary, 0, 0, ignore_reply);
}

Result<void> Control::stop(bool hardware) noexcept {
  return request(Command::stop, hardware ? "NET_DM_CMD_STOP (hardware drops)" : "NET_DM_CMD_STOP (software drops)",
                 hardware ? attr::hw_drops : attr::sw_drops, false, AlertMode::summary, 0, 0, ignore_reply);
}

Result<Config> Control::config() noexcept {
  Result<Config> result{std::in_place};
  auto done = request(Command::config_get, "NET_DM_CMD_CONFIG_GET", 0, false, AlertMode::summary, 0, 0,
                      [&](const netlink::Message& reply) -> Result<void> {
                        auto config = decode_config(reply);
                        if (!config) return config.error();
                        *result = *config;
                        return {};
                      });
  if (!done) result.fail(done.error());
  return result;
}

Result<QueueStats> Control::stats() noexcept {
  Result<QueueStats> result{std::in_place};
  auto done = request(Command::stats_get, "NET_DM_CMD_STATS_GET", 0, false, AlertMode::summary, 0, 0,
                      [&](const netlink::Message& reply) -> Result<void> {
                        auto stats = decode_stats(reply);
                        if (!stats) return stats.error();
                        *result = *stats;
                        return {};
                      });
  if (!done) result.fail(done.error());
  return result;
}

}  // namespace psample::dropmon::detail
