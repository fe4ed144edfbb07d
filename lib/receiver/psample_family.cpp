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

const events::FamilyDescription psample_packets{
    family_name, missing_hint, {packets_group_name}, 1, "CAP_NET_ADMIN (kernels >= 6.7)", attach_group_filter};
const events::FamilyDescription psample_packets_and_config{
    family_name,        missing_hint, {packets_group_name, config_group_name}, 2, "CAP_NET_ADMIN (kernels >= 6.7)",
    attach_group_filter};

}  // namespace detail

}  // namespace psample
