// psample-cpp layer 1: generic netlink controller (CTRL_CMD_GETFAMILY).
#include "psample/netlink/genl_controller.hpp"

#include <linux/netlink.h>

#include <cerrno>
#include <cstring>

#include "psample/netlink/attribute.hpp"
#include "psample/netlink/exchange.hpp"
#include "psample/netlink/request_builder.hpp"

namespace psample::netlink {

namespace {

// Copies a string attribute into a fixed name field; false if it is not a
// NUL-terminated string that fits.
bool copy_name(const Attribute& attribute, char (&out)[genl_name_capacity]) noexcept {
  auto text = attribute.as_string();
  if (!text || text->size() >= genl_name_capacity) return false;
  std::memcpy(out, text->data(), text->size());
  out[text->size()] = '\0';
  return true;
}

// Each reader below returns what is wrong with the message, or nullptr: one
// Error is built, by parse_family(), for all of them.

const char* read_group(const Attribute& entry, MulticastGroup& group) noexcept {
  AttributeReader reader = entry.nested();
  Attribute attribute;
  bool has_id = false, has_name = false;
  while (reader.next(attribute)) {
    if (attribute.type() == ctrl::attr_mcast_grp_id) {
      auto id = attribute.as_u32();
      if (!id) return "CTRL_ATTR_MCAST_GRP_ID is not 4 bytes";
      group.id = *id;
      has_id = true;
    } else if (attribute.type() == ctrl::attr_mcast_grp_name) {
      if (!copy_name(attribute, group.name)) return "CTRL_ATTR_MCAST_GRP_NAME is not a short string";
      has_name = true;
    }
  }
  if (reader.failed()) return reader.failure();
  if (!has_id || !has_name) return "multicast group entry without a name or an id";
  return nullptr;
}

const char* read_family(ByteView bytes, FamilyInfo& family) noexcept {
  family.group_count = 0;  // a second reply replaces the first one's groups
  MessageReader messages(bytes);
  Message message;
  if (!messages.next(message)) return messages.failed() ? messages.failure() : "empty message";
  if (message.type != genl_controller_id) return "message is not from the controller (nlmsg_type != 0x10)";
  if (message.payload.size() < genl_header_size) return "no genlmsghdr";

  bool has_id = false;
  AttributeReader reader(message.payload.subview(genl_header_size));
  Attribute attribute;
  while (reader.next(attribute)) {
    switch (attribute.type()) {
      case ctrl::attr_family_id: {
        auto id = attribute.as_u16();
        if (!id) return "CTRL_ATTR_FAMILY_ID is not 2 bytes";
        family.id = *id;
        has_id = true;
        break;
      }
      case ctrl::attr_family_name:
        if (!copy_name(attribute, family.name)) return "CTRL_ATTR_FAMILY_NAME is not a short string";
        break;
      case ctrl::attr_version:
      case ctrl::attr_hdrsize:
      case ctrl::attr_maxattr: {
        auto value = attribute.as_u32();
        if (!value) return "CTRL_ATTR_VERSION/HDRSIZE/MAXATTR is not 4 bytes";
        uint32_t& field = attribute.type() == ctrl::attr_version   ? family.version
                          : attribute.type() == ctrl::attr_hdrsize ? family.header_size
                                                                   : family.max_attribute;
        field = *value;
        break;
      }
      case ctrl::attr_mcast_groups: {
        AttributeReader entries = attribute.nested();
        Attribute entry;
        while (entries.next(entry)) {
          if (family.group_count == FamilyInfo::max_groups) break;  // more than we keep; the rest are unused here
          if (const char* problem = read_group(entry, family.groups[family.group_count])) return problem;
          ++family.group_count;
        }
        if (entries.failed()) return entries.failure();
        break;
      }
      default: break;  // CTRL_ATTR_OPS, POLICY...: not needed
    }
  }
  if (reader.failed()) return reader.failure();
  if (!has_id) return "no CTRL_ATTR_FAMILY_ID";
  return nullptr;
}

// Parses into `family`; the one place the malformed Error is built.
Result<void> parse_family_into(ByteView bytes, FamilyInfo& family) noexcept {
  if (const char* problem = read_family(bytes, family)) {
    return Error(ErrorCode::malformed, 0, "malformed generic netlink controller message: %s", problem);
  }
  return {};
}

}  // namespace

std::optional<uint32_t> FamilyInfo::find_group(std::string_view group_name) const noexcept {
  for (size_t i = 0; i < group_count; ++i) {
    if (group_name == groups[i].name) return groups[i].id;
  }
  return std::nullopt;
}

Result<FamilyInfo> parse_family(ByteView bytes) noexcept {
  Result<FamilyInfo> result{std::in_place};
  if (auto parsed = parse_family_into(bytes, *result); !parsed) result.fail(parsed.error());
  return result;
}

Result<FamilyInfo> resolve_family(Socket& socket, std::string_view name, MutableByteView scratch,
                                  const char* not_found_hint) noexcept {
  Result<FamilyInfo> result{std::in_place};
  if (name.empty() || name.size() >= genl_name_capacity) {
    result.fail(Error(ErrorCode::invalid_argument, 0, "generic netlink family names are 1-15 characters, got %zu",
                      name.size()));
    return result;
  }
  uint8_t request_buffer[64];
  RequestBuilder builder(MutableByteView(request_buffer, sizeof request_buffer));
  builder.begin(genl_controller_id, flag_request, socket.next_sequence());
  builder.put_genl_header(ctrl::cmd_getfamily, 1);
  builder.put_string(ctrl::attr_family_name, name);
  auto request = builder.finish();
  if (!request) {
    result.fail(request.error());
    return result;
  }

  bool replied = false;
  auto done = exchange(socket, *request, scratch, "CTRL_CMD_GETFAMILY", [&](const Message& reply) -> Result<void> {
    replied = true;
    return parse_family_into(reply.bytes, *result);
  });
  if (!done && done.error().system_errno() == ENOENT) {
    Error error(ErrorCode::family_not_found, ENOENT, "generic netlink family '%.*s' not found%s%s",
                static_cast<int>(name.size()), name.data(), not_found_hint != nullptr ? ": " : "",
                not_found_hint != nullptr ? not_found_hint : "");
    error.set_kernel_message(done.error().kernel_message(),
                             static_cast<unsigned>(std::strlen(done.error().kernel_message())));
    result.fail(error);
  } else if (!done) {
    result.fail(done.error());
  } else if (!replied) {
    result.fail(Error(ErrorCode::malformed, 0, "CTRL_CMD_GETFAMILY got no reply"));
  }
  return result;
}

}  // namespace psample::netlink
