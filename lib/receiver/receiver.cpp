// psample-cpp layer 3: the Receiver (composes the netlink layer and the
// decoder): opening one, and what it reports. See receiver_state.hpp for the
// files that do the rest.
#include "psample/receiver.hpp"

#include <linux/netlink.h>

#include <cerrno>
#include <cstdlib>
#include <new>

#include "psample/group_list.hpp"
#include "receiver/group_dump.hpp"
#include "receiver/psample_family.hpp"
#include "receiver/receiver_state.hpp"

namespace psample {

Receiver::State* Receiver::State::create(const ReceiverOptions& options, size_t slots) noexcept {
  void* memory = std::malloc(sizeof(State));
  if (memory == nullptr) return nullptr;
  State* state = new (memory) State(options, slots);
  if (state->batch.slots() != slots) {  // the receive buffer could not be allocated
    StateDeleter()(state);
    return nullptr;
  }
  return state;
}

void Receiver::StateDeleter::operator()(State* state) const noexcept {
  state->~State();
  std::free(state);
}

Receiver::Receiver(StatePtr state) noexcept : state_(std::move(state)) {}
Receiver::Receiver(Receiver&&) noexcept = default;
Receiver& Receiver::operator=(Receiver&&) noexcept = default;
Receiver::~Receiver() = default;

namespace {

Result<void> check_options(const ReceiverOptions& options) noexcept {
  if (options.max_batch == 0) return Error(ErrorCode::invalid_argument, 0, "max_batch must be at least 1");
  if (options.datagrams_per_syscall == 0 || options.datagrams_per_syscall > 1024) {
    return Error(ErrorCode::invalid_argument, 0, "datagrams_per_syscall must be 1 to 1024, got %zu",
                 options.datagrams_per_syscall);
  }
  if (options.datagram_bytes < 8192 || options.datagram_bytes > max_sample_datagram) {
    return Error(ErrorCode::invalid_argument, 0, "datagram_bytes must be 8192-%zu, got %zu", max_sample_datagram,
                 options.datagram_bytes);
  }
  if (options.groups.overflowed()) {
    return Error(ErrorCode::invalid_argument, 0, "groups lists more than %zu groups", max_filter_groups);
  }
  if (options.coalesce.count() < 0 || options.coalesce.count() > 100000) {
    return Error(ErrorCode::invalid_argument, 0, "coalesce must be 0-100000 us, got %lld us",
                 static_cast<long long>(options.coalesce.count()));
  }
  return {};
}

Error out_of_memory(const ReceiverOptions& options, size_t slots) noexcept {
  return Error(ErrorCode::system, ENOMEM, "out of memory for a Receiver with %zu slots of %zu bytes", slots,
               options.datagram_bytes);
}

}  // namespace

Result<Receiver> Receiver::open(const ReceiverOptions& options) noexcept {
  if (auto valid = check_options(options); !valid) return valid.error();
  auto socket = netlink::Socket::open(NETLINK_GENERIC);
  if (!socket) return socket.error();

  StatePtr state(State::create(options, options.datagrams_per_syscall));
  if (!state) return out_of_memory(options, options.datagrams_per_syscall);
  state->socket = std::move(*socket);
  netlink::Socket& s = state->socket;

  // Extended ack only improves error text; kernels before 4.12 lack it.
  if (options.extended_ack) (void)s.set_extended_ack(true);

  // A detached-sized State has no slots; open() always has at least one.
  auto family = detail::resolve_psample_family(s, state->batch.slot(0));
  if (!family) return family.error();
  state->family = *family;

  if (options.receive_buffer_bytes > 0) {
    auto size = s.set_receive_buffer(options.receive_buffer_bytes);
    if (!size) return size.error();
  }
  if (options.no_enobufs) {
    if (auto r = s.set_no_enobufs(true); !r) return r.error();
  }
  if (options.follow_module_reload) {
    auto nlctrl = netlink::resolve_family(s, "nlctrl", state->batch.slot(0));
    if (!nlctrl) return nlctrl.error();
    auto notify = nlctrl->find_group(netlink::ctrl::notify_group_name);
    if (!notify) return Error(ErrorCode::group_not_found, 0, "nlctrl has no 'notify' group");
    if (auto r = s.join_group(*notify); !r) return r.error();
  }
  if (auto r = state->subscribe(/*force=*/true); !r) return r.error();
  auto size = s.receive_buffer();
  if (!size) return size.error();
  state->receive_buffer_bytes = *size;
  return Receiver(std::move(state));
}

Result<Receiver> Receiver::adopt(netlink::Socket socket, uint16_t family_id, const ReceiverOptions& options) noexcept {
  if (auto valid = check_options(options); !valid) return valid.error();
  if (!socket.is_open()) return Error(ErrorCode::invalid_argument, 0, "adopt() needs an open socket");
  StatePtr state(State::create(options, options.datagrams_per_syscall));
  if (!state) return out_of_memory(options, options.datagrams_per_syscall);
  state->socket = std::move(socket);
  state->family.id = family_id;
  auto size = state->socket.receive_buffer();
  if (!size) return size.error();
  state->receive_buffer_bytes = *size;
  return Receiver(std::move(state));
}

Result<Receiver> Receiver::detached(uint16_t family_id, const ReceiverOptions& options) noexcept {
  if (auto valid = check_options(options); !valid) return valid.error();
  StatePtr state(State::create(options, 0));
  if (!state) return out_of_memory(options, 0);
  state->family.id = family_id;
  return Receiver(std::move(state));
}

size_t Receiver::process_with(ByteView datagram, uint32_t sender_port, const Handlers& handlers) noexcept {
  return state_->process(datagram, sender_port, handlers);
}
Result<size_t> Receiver::receive_with(const Handlers& handlers, std::chrono::milliseconds timeout) noexcept {
  return state_->receive(handlers, timeout);
}

ReceiverStats Receiver::stats() const noexcept {
  ReceiverStats stats = state_->stats;
  if (state_->socket.is_open()) {
    auto drops = state_->socket.kernel_drops();
    if (drops) stats.kernel_drops = *drops;
  }
  return stats;
}

size_t Receiver::group_counters(GroupCounters* counters, size_t capacity) const noexcept {
  return state_->sequences.groups(counters, capacity);
}

Result<size_t> Receiver::groups(GroupInfo* groups, size_t capacity) const noexcept {
  return detail::dump_groups(state_->family.id, state_->dump_buffer, groups, capacity);
}

int Receiver::fd() const noexcept { return state_->socket.fd(); }
int Receiver::receive_buffer_bytes() const noexcept { return state_->receive_buffer_bytes; }
const netlink::FamilyInfo& Receiver::family() const noexcept { return state_->family; }

}  // namespace psample
