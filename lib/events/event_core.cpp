// psample-cpp layer 3: the event core's socket: opening it, joining the
// family's groups, and following the family through module unload and
// reload (nlctrl notifications).
#include "events/event_core.hpp"

#include <linux/netlink.h>

#include <cstring>

namespace psample::events {

Result<void> EventCore::validate(const CoreOptions& options, size_t max_datagram) noexcept {
  if (options.max_batch == 0) return Error(ErrorCode::invalid_argument, 0, "max_batch must be at least 1");
  if (options.datagrams_per_syscall == 0 || options.datagrams_per_syscall > 1024) {
    return Error(ErrorCode::invalid_argument, 0, "datagrams_per_syscall must be 1 to 1024, got %zu",
                 options.datagrams_per_syscall);
  }
  if (options.datagram_bytes < 8192 || options.datagram_bytes > max_datagram) {
    return Error(ErrorCode::invalid_argument, 0, "datagram_bytes must be 8192-%zu, got %zu", max_datagram,
                 options.datagram_bytes);
  }
  if (options.coalesce.count() < 0 || options.coalesce.count() > 100000) {
    return Error(ErrorCode::invalid_argument, 0, "coalesce must be 0-100000 us, got %lld us",
                 static_cast<long long>(options.coalesce.count()));
  }
  return {};
}

Result<void> EventCore::open(const FamilyDescription& chosen, const void* context) noexcept {
  description = &chosen;
  filter_context = context;
  auto opened = netlink::Socket::open(NETLINK_GENERIC);
  if (!opened) return opened.error();
  socket = std::move(*opened);
  // Extended ack only improves error text; kernels before 4.12 lack it.
  if (options.extended_ack) (void)socket.set_extended_ack(true);
  // open() always has at least one slot: the scratch for the requests.
  auto resolved = netlink::resolve_family(socket, chosen.name, batch.slot(0), chosen.missing_hint);
  if (!resolved) return resolved.error();
  family = *resolved;
  if (options.receive_buffer_bytes > 0) {
    auto size = socket.set_receive_buffer(options.receive_buffer_bytes);
    if (!size) return size.error();
  }
  if (options.no_enobufs) {
    if (auto r = socket.set_no_enobufs(true); !r) return r.error();
  }
  if (options.follow_module_reload) {
    auto nlctrl = netlink::resolve_family(socket, "nlctrl", batch.slot(0));
    if (!nlctrl) return nlctrl.error();
    auto notify = nlctrl->find_group(netlink::ctrl::notify_group_name);
    if (!notify) return Error(ErrorCode::group_not_found, 0, "nlctrl has no 'notify' group");
    if (auto r = socket.join_group(*notify); !r) return r.error();
  }
  if (auto r = subscribe(/*force=*/true); !r) return r.error();
  auto size = socket.receive_buffer();
  if (!size) return size.error();
  receive_buffer_bytes = *size;
  return {};
}

Result<void> EventCore::attach(const FamilyDescription& chosen, netlink::Socket adopted, uint16_t family_id) noexcept {
  description = &chosen;
  family.id = family_id;
  if (!adopted.is_open()) return {};
  socket = std::move(adopted);
  auto size = socket.receive_buffer();
  if (!size) return size.error();
  receive_buffer_bytes = *size;
  return {};
}

// Installs the description's filter for the current family id and joins its
// groups. `force` rejoins even groups we think we are in (after a reload the
// kernel drops memberships without telling us). Detached, it only keeps the
// books.
Result<void> EventCore::subscribe(bool force) noexcept {
  const bool attached = socket.is_open();
  if (attached && description->attach_filter != nullptr) {
    if (auto r = description->attach_filter(socket, family.id, filter_context); !r) return r.error();
  }
  for (size_t i = 0; i < description->group_count; ++i) {
    const char* name = description->groups[i];
    const auto id = family.find_group(name);
    if (!force && id && *id == joined_[i]) continue;
    if (!id)
      return Error(ErrorCode::group_not_found, 0, "the %s family has no '%s' multicast group", description->name, name);
    if (attached) {
      auto joined = socket.join_group(*id);
      if (!joined && joined.error().code() == ErrorCode::permission_denied) {
        return Error(ErrorCode::permission_denied, joined.error().system_errno(),
                     "joining %s '%s' needs %s: run as root or grant the capability", description->name, name,
                     description->join_privilege);
      }
      if (!joined) return joined.error();
    }
    joined_[i] = *id;
  }
  return {};
}

// nlctrl notifications: the family going away or coming back.
void EventCore::on_controller_message(const netlink::Message& message) noexcept {
  using netlink::ctrl::cmd_delfamily;
  using netlink::ctrl::cmd_newfamily;
  const int command = netlink::genl_command(message);
  if (command != cmd_newfamily && command != cmd_delfamily && command != netlink::ctrl::cmd_newmcast_grp) {
    ++counters.ignored_family;
    return;
  }
  auto changed = netlink::parse_family(message.bytes);
  if (!changed) {
    ++counters.malformed;
    return;
  }
  if (std::strcmp(changed->name, description->name) != 0) {  // open() or attach() set the description
    ++counters.ignored_family;                               // another family's news
    return;
  }
  ++counters.controller_events;
  if (command == cmd_delfamily) {
    ++counters.family_removed;
    for (uint32_t& id : joined_) id = 0;
    return;
  }
  if (changed->group_count == 0) return;  // NEWFAMILY of a family whose groups come next
  const bool was_joined = joined_[0] != 0;
  family = *changed;
  if (subscribe(/*force=*/command == cmd_newfamily) && !was_joined && joined_[0] != 0) ++counters.resubscriptions;
}

}  // namespace psample::events
