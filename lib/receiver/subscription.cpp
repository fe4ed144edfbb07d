// psample-cpp layer 3: joining psample's groups, and following the module
// through unload and reload (nlctrl notifications).
#include <cerrno>
#include <cstring>

#include "psample/group_filter.hpp"
#include "psample/heap.hpp"
#include "receiver/receiver_state.hpp"

namespace psample {

namespace {

// Joins group `id` (psample's `group_name`), saying what a refusal needs.
Result<void> join(netlink::Socket& socket, uint32_t id, const char* group_name) noexcept {
  auto joined = socket.join_group(id);
  if (!joined && joined.error().code() == ErrorCode::permission_denied) {
    return Error(ErrorCode::permission_denied, joined.error().system_errno(),
                 "joining psample '%s' needs CAP_NET_ADMIN (kernels >= 6.7): run as root or grant the capability",
                 group_name);
  }
  return joined;
}

}  // namespace

// Joins "packets" (and "config") of the current family and installs the
// group filter for its id. `force` rejoins even groups we think we are in
// (after a reload the kernel drops memberships without telling us).
// A detached Receiver (no socket) only keeps the books.
Result<void> Receiver::State::subscribe(bool force) noexcept {
  const bool attached = socket.is_open();
  if (attached && !options.groups.empty()) {
    const size_t length = group_filter_length(options.groups.size());
    MallocArray<FilterInstruction> program = allocate_array<FilterInstruction>(length);  // off the stack
    if (!program) return Error(ErrorCode::system, ENOMEM, "out of memory for a %zu-instruction group filter", length);
    auto built = build_group_filter(family.id, options.groups, program.get(), length);
    if (!built) return built.error();
    if (auto r = socket.attach_filter(program.get(), *built); !r) return r.error();
  }
  const auto packets = family.find_group(packets_group_name);
  if (force || !packets || *packets != joined_packets) {
    if (!packets)
      return Error(ErrorCode::group_not_found, 0, "the psample family has no '%s' multicast group", packets_group_name);
    if (attached) {
      if (auto r = join(socket, *packets, packets_group_name); !r) return r.error();
    }
    joined_packets = *packets;
  }
  if (options.config_events) {
    const auto config = family.find_group(config_group_name);
    if (force || !config || *config != joined_config) {
      if (!config)
        return Error(ErrorCode::group_not_found, 0, "the psample family has no '%s' multicast group",
                     config_group_name);
      if (attached) {
        if (auto r = join(socket, *config, config_group_name); !r) return r.error();
      }
      joined_config = *config;
    }
  }
  return {};
}

// nlctrl notifications: psample going away or coming back.
void Receiver::State::on_controller_message(const netlink::Message& message) noexcept {
  using netlink::ctrl::cmd_delfamily;
  using netlink::ctrl::cmd_newfamily;
  const int command = netlink::genl_command(message);
  if (command != cmd_newfamily && command != cmd_delfamily && command != netlink::ctrl::cmd_newmcast_grp) {
    ++stats.ignored_family;
    return;
  }
  auto changed = netlink::parse_family(message.bytes);
  if (!changed) {
    ++stats.malformed;
    return;
  }
  if (std::strcmp(changed->name, family_name) != 0) {
    ++stats.ignored_family;  // another family's news
    return;
  }
  ++stats.controller_events;
  if (command == cmd_delfamily) {
    ++stats.family_removed;
    joined_packets = joined_config = 0;
    return;
  }
  if (changed->group_count == 0) return;  // NEWFAMILY of a family whose groups come next
  const bool was_joined = joined_packets != 0;
  family = *changed;
  if (subscribe(/*force=*/command == cmd_newfamily) && !was_joined && joined_packets != 0) {
    ++stats.resubscriptions;
  }
}

}  // namespace psample
