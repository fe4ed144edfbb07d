// psample-cpp layer 3: psample as an event source: its family, groups,
// filter and hints (the event core does the joining and following).
#include "receiver/psample_family.hpp"

#include <cerrno>

#include "psample/group_filter.hpp"
#include "psample/heap.hpp"
#include "psample/protocol.hpp"
#include "receiver/receiver_state.hpp"

namespace psample {

namespace {

constexpr const char* missing_hint = "load the psample kernel module (modprobe psample) or add a tc sample action";

// The cBPF group filter for ReceiverOptions::groups (`context`), if any.
Result<void> attach_group_filter(netlink::Socket& socket, uint16_t family_id, const void* context) noexcept {
  const GroupList& groups = *static_cast<const GroupList*>(context);
  if (groups.empty()) return {};
  const size_t length = group_filter_length(groups.size());
  MallocArray<FilterInstruction> program = allocate_array<FilterInstruction>(length);  // off the stack
  if (!program) return Error(ErrorCode::system, ENOMEM, "out of memory for a %zu-instruction group filter", length);
  auto built = build_group_filter(family_id, groups, program.get(), length);
  if (!built) return built.error();
  return socket.attach_filter(program.get(), *built);
}

}  // namespace

namespace detail {

Result<netlink::FamilyInfo> resolve_psample_family(netlink::Socket& socket, MutableByteView scratch) noexcept {
  return netlink::resolve_family(socket, family_name, scratch, missing_hint);
}

events::FamilyDescription psample_description(const ReceiverOptions& options) noexcept {
  events::FamilyDescription d;
  d.name = family_name;
  d.missing_hint = missing_hint;
  d.groups[d.group_count++] = packets_group_name;
  if (options.config_events) d.groups[d.group_count++] = config_group_name;
  d.join_privilege = "CAP_NET_ADMIN (kernels >= 6.7)";
  d.attach_filter = attach_group_filter;
  return d;
}

events::CoreOptions core_options(const ReceiverOptions& o) noexcept {
  events::CoreOptions c;
  c.receive_buffer_bytes = o.receive_buffer_bytes;
  c.no_enobufs = o.no_enobufs;
  c.extended_ack = o.extended_ack;
  c.max_batch = o.max_batch;
  c.datagrams_per_syscall = o.datagrams_per_syscall;
  c.coalesce = o.coalesce;
  c.datagram_bytes = o.datagram_bytes;
  c.follow_module_reload = o.follow_module_reload;
  return c;
}

}  // namespace detail

}  // namespace psample
