// psample-cpp drop monitor, layer 2: decoding NET_DM messages against the
// attribute tables of psample/dropmon/protocol.hpp.
#include "psample/dropmon/decode.hpp"

#include "psample/netlink/attribute.hpp"

namespace psample::dropmon {

namespace {

using netlink::Attribute;
using netlink::AttributeReader;

constexpr size_t headers_size = netlink::message_header_size + netlink::genl_header_size;

Error structure_error(const char* what, size_t offset) noexcept {
  return Error(ErrorCode::malformed, 0, "malformed NET_DM message: %s (at byte %zu)", what, offset);
}

// "NET_DM attribute PC (2) at byte 24 is 4 bytes; expected 8", from the row.
Error width_error(const char* set, const AttributeSpec& spec, size_t width, size_t offset) noexcept {
  char expected[64];
  return Error(ErrorCode::malformed, 0, "NET_DM %sattribute %s (%u) at byte %zu is %zu bytes; expected %s", set,
               spec.name, spec.number, offset, width, netlink::describe_width(spec, expected));
}

// Walks `attributes` (which start at byte `base` of the message), checks
// each attribute the table knows against its row, and hands it to
// on_attribute(type, attribute), which may fail. Unknown numbers are skipped.
template <size_t N, class OnAttribute>
Result<void> each_checked(ByteView attributes, size_t base, const AttributeSpec (&table)[N], const char* set,
                          OnAttribute&& on_attribute) noexcept {
  AttributeReader reader(attributes);
  Attribute attribute;
  while (reader.next(attribute)) {
    const uint16_t type = attribute.type();
    if (type >= N) continue;
    if (!table[type].accepts(attribute.payload()))
      return width_error(set, table[type], attribute.payload().size(), base + attribute.offset());
    if (auto done = on_attribute(type, attribute, base + attribute.offset() + netlink::attribute_header_size); !done)
      return done;
  }
  if (reader.failed()) return structure_error(reader.failure(), base + reader.failure_offset());
  return {};
}

std::string_view text(const Attribute& attribute) noexcept {
  return attribute.as_string().value_or(std::string_view());  // the rule checked its NUL
}

// The genl command of `message`, or an error for a message too short for one.
Result<uint8_t> command_of(const netlink::Message& message) noexcept {
  const int command = netlink::genl_command(message);
  if (command < 0) return structure_error("too short for a genlmsghdr", netlink::message_header_size);
  return static_cast<uint8_t>(command);
}

Error wrong_command(uint8_t command, const char* wanted) noexcept {
  return Error(ErrorCode::not_a_sample, 0, "NET_DM message with command %u is not %s", command, wanted);
}

ByteView attributes_of(const netlink::Message& message) noexcept {
  return message.bytes.subview(headers_size, message.bytes.size() - headers_size);
}

}  // namespace

namespace detail {

struct DropWriter {
  static Result<DropView> decode(const netlink::Message& message) noexcept {
    auto command = command_of(message);
    if (!command) return command.error();
    if (*command != static_cast<uint8_t>(Command::packet_alert)) return wrong_command(*command, "a PACKET_ALERT");
    Result<DropView> result{std::in_place};
    DropView& drop = *result;
    auto walked = each_checked(attributes_of(message), headers_size, drop_attributes, "",
                               [&](uint16_t type, const Attribute& attribute, size_t at) -> Result<void> {
                                 const ByteView payload = attribute.payload();
                                 switch (type) {
                                   case attr::pc: drop.pc_ = netlink::load_u64(payload.data()); break;
                                   case attr::symbol: drop.symbol_ = text(attribute); break;
                                   case attr::reason: drop.reason_ = text(attribute); break;
                                   case attr::hw_trap_group_name: drop.trap_group_ = text(attribute); break;
                                   case attr::hw_trap_name: drop.trap_name_ = text(attribute); break;
                                   case attr::flow_action_cookie: drop.cookie_ = payload; break;
                                   case attr::timestamp: drop.timestamp_ns_ = netlink::load_u64(payload.data()); break;
                                   case attr::proto: drop.proto_ = netlink::load_u16(payload.data()); break;
                                   case attr::orig_len: drop.orig_len_ = netlink::load_u32(payload.data()); break;
                                   case attr::payload: drop.payload_ = payload; break;
                                   case attr::origin:
                                     drop.origin_ = static_cast<Origin>(netlink::load_u16(payload.data()));
                                     break;
                                   case attr::in_port: {
                                     auto port = each_checked(
                                         payload, at, port_attributes, "IN_PORT ",
                                         [&](uint16_t field, const Attribute& value, size_t) -> Result<void> {
                                           if (field == port_attr::ifindex) {
                                             drop.in_ifindex_ = netlink::load_u32(value.payload().data());
                                             drop.port_present_ |= 1u;
                                           } else {
                                             drop.in_port_name_ = text(value);
                                             drop.port_present_ |= 2u;
                                           }
                                           return {};
                                         });
                                     if (!port) return port;
                                     break;
                                   }
                                   default: break;  // presence only
                                 }
                                 drop.present_ |= 1u << type;
                                 return {};
                               });
    if (!walked) result.fail(walked.error());
    return result;
  }
};

struct SummaryWriter {
  static Result<SummaryView> decode(const netlink::Message& message) noexcept {
    auto command = command_of(message);
    if (!command) return command.error();
    if (*command != static_cast<uint8_t>(Command::alert)) return wrong_command(*command, "an ALERT");
    Result<SummaryView> result{std::in_place};
    SummaryView& summary = *result;
    bool has_header = false;
    uint64_t points_total = 0;
    uint64_t traps_total = 0;
    auto walked = each_checked(
        attributes_of(message), headers_size, drop_attributes, "",
        [&](uint16_t type, const Attribute& attribute, size_t at) -> Result<void> {
          const ByteView payload = attribute.payload();
          if (type == attr::unspec) {
            if (payload.size() < 4) return structure_error("ALERT's header is shorter than 4 bytes", at);
            const uint32_t entries = netlink::load_u32(payload.data());
            if (entries > (payload.size() - 4) / summary_point_size)
              return structure_error("ALERT counts more drop points than it holds", at);
            has_header = true;
            // A repeated attribute replaces the earlier one, as the view reads it.
            summary.points_ = payload;
            summary.point_count_ = entries;
            points_total = 0;
            for (size_t i = 0; i < entries; ++i) points_total += summary.point(i).count;
          } else if (type == attr::hw_entries) {
            summary.is_hardware_ = true;
            summary.hw_entries_ = payload;
            summary.trap_count_ = 0;
            traps_total = 0;
            return each_checked(payload, at, drop_attributes, "HW_ENTRIES ",
                                [&](uint16_t entry_type, const Attribute& entry, size_t entry_at) -> Result<void> {
                                  if (entry_type != attr::hw_entry) return {};
                                  ++summary.trap_count_;
                                  uint32_t count = 0;  // the last HW_TRAP_COUNT, as for_each_trap() reads it
                                  auto fields = each_checked(entry.payload(), entry_at, drop_attributes, "HW_ENTRY ",
                                                             [&](uint16_t field, const Attribute& value, size_t) {
                                                               if (field == attr::hw_trap_count)
                                                                 count = netlink::load_u32(value.payload().data());
                                                               return Result<void>();
                                                             });
                                  traps_total += count;
                                  return fields;
                                });
          }
          return {};
        });
    if (!walked) {
      result.fail(walked.error());
    } else if (!has_header) {
      result.fail(structure_error("ALERT without its struct net_dm_alert_msg", headers_size));
    } else {
      summary.total_ = points_total + traps_total;
    }
    return result;
  }
};

}  // namespace detail

Result<DropView> decode_drop(const netlink::Message& message) noexcept { return detail::DropWriter::decode(message); }

Result<DropView> decode_drop(ByteView bytes) noexcept {
  netlink::MessageReader reader(bytes);
  netlink::Message message;
  if (!reader.next(message))
    return structure_error(reader.failed() ? reader.failure() : "no message", reader.failure_offset());
  return detail::DropWriter::decode(message);
}

Result<SummaryView> decode_summary(const netlink::Message& message) noexcept {
  return detail::SummaryWriter::decode(message);
}

Result<Config> decode_config(const netlink::Message& message) noexcept {
  auto command = command_of(message);
  if (!command) return command.error();
  if (*command != static_cast<uint8_t>(Command::config_new)) return wrong_command(*command, "a CONFIG_NEW");
  Config config;
  auto walked = each_checked(attributes_of(message), headers_size, drop_attributes, "",
                             [&](uint16_t type, const Attribute& attribute, size_t) -> Result<void> {
                               const uint8_t* value = attribute.payload().data();
                               if (type == attr::alert_mode) config.alert_mode = static_cast<AlertMode>(value[0]);
                               if (type == attr::trunc_len) config.trunc_len = netlink::load_u32(value);
                               if (type == attr::queue_len) config.queue_len = netlink::load_u32(value);
                               return {};
                             });
  if (!walked) return walked.error();
  return config;
}

Result<QueueStats> decode_stats(const netlink::Message& message) noexcept {
  auto command = command_of(message);
  if (!command) return command.error();
  if (*command != static_cast<uint8_t>(Command::stats_new)) return wrong_command(*command, "a STATS_NEW");
  QueueStats stats;
  auto walked = each_checked(attributes_of(message), headers_size, drop_attributes, "",
                             [&](uint16_t type, const Attribute& attribute, size_t at) -> Result<void> {
                               if (type != attr::stats && type != attr::hw_stats) return {};
                               uint64_t& dropped =
                                   type == attr::stats ? stats.software_dropped : stats.hardware_dropped;
                               return each_checked(attribute.payload(), at, stats_attributes, "STATS ",
                                                   [&](uint16_t, const Attribute& value, size_t) -> Result<void> {
                                                     dropped = netlink::load_u64(value.payload().data());
                                                     return {};
                                                   });
                             });
  if (!walked) return walked.error();
  return stats;
}

const char* attr::name(uint16_t attribute) noexcept {
  return attribute < attr::count ? drop_attributes[attribute].name : "unknown";
}

}  // namespace psample::dropmon
