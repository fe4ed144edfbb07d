// psample-cpp layer 3: the Receiver, psample's client of the event core
// (lib/events/) and the decoder: opening one, and what it reports. See
// receiver_state.hpp for the files that do the rest.
#include "psample/receiver.hpp"

#include <cerrno>
#include <cstdlib>
#include <new>

#include "psample/group_list.hpp"
#include "receiver/group_dump.hpp"
#include "receiver/psample_family.hpp"
#include "receiver/receiver_state.hpp"

namespace psample {

Receiver::State* Receiver::State::create(const ReceiverOptions& options, const events::CoreOptions& generic,
                                         size_t slots) noexcept {
  void* memory = std::malloc(sizeof(State));
  if (memory == nullptr) return nullptr;
  State* state = new (memory) State(options, generic, slots);
  if (!state->core.allocated(slots)) {  // the receive buffer could not be allocated
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

Error out_of_memory(const ReceiverOptions& options, size_t slots) noexcept {
  return Error(ErrorCode::system, ENOMEM, "out of memory for a Receiver with %zu slots of %zu bytes", slots,
               options.datagram_bytes);
}

}  // namespace

// open(), adopt() and detached() in one place: `slots` 0 for detached;
// `socket` open for adopt(); `family_id` unused by open().
Result<Receiver> Receiver::start(const ReceiverOptions& options, size_t slots, netlink::Socket socket,
                                 uint16_t family_id, bool open) noexcept {
  const events::CoreOptions generic = events::core_options_of(options);
  if (auto valid = events::EventCore::validate(generic, max_sample_datagram); !valid) return valid.error();
  if (options.groups.overflowed())
    return Error(ErrorCode::invalid_argument, 0, "groups lists more than %zu groups", max_filter_groups);
  StatePtr state(State::create(options, generic, slots));
  if (!state) return out_of_memory(options, slots);
  auto started = open ? state->core.open(state->description, &state->options.groups)
                      : state->core.attach(state->description, std::move(socket), family_id);
  if (!started) return started.error();
  return Receiver(std::move(state));
}

Result<Receiver> Receiver::open(const ReceiverOptions& options) noexcept {
  return start(options, options.datagrams_per_syscall, netlink::Socket(), 0, true);
}

Result<Receiver> Receiver::adopt(netlink::Socket socket, uint16_t family_id, const ReceiverOptions& options) noexcept {
  if (!socket.is_open()) return Error(ErrorCode::invalid_argument, 0, "adopt() needs an open socket");
  return start(options, options.datagrams_per_syscall, std::move(socket), family_id, false);
}

Result<Receiver> Receiver::detached(uint16_t family_id, const ReceiverOptions& options) noexcept {
  return start(options, 0, netlink::Socket(), family_id, false);
}

size_t Receiver::process_with(ByteView datagram, uint32_t sender_port, const Handlers& handlers) noexcept {
  return state_->process(datagram, sender_port, handlers);
}
Result<size_t> Receiver::receive_with(const Handlers& handlers, std::chrono::milliseconds timeout) noexcept {
  State& state = *state_;
  return state.core.receive(
      [&](ByteView datagram, uint32_t sender_port) { return state.process(datagram, sender_port, handlers); }, timeout);
}

ReceiverStats Receiver::stats() const noexcept {
  ReceiverStats stats = state_->stats;
  state_->sequences.totals(stats);
  events::add_core_counters(stats, state_->core.counters);
  if (state_->core.socket.is_open()) {
    auto drops = state_->core.socket.kernel_drops();
    if (drops) stats.kernel_drops = *drops;
  }
  return stats;
}

size_t Receiver::group_counters(GroupCounters* counters, size_t capacity) const noexcept {
  return state_->sequences.groups(counters, capacity);
}

Result<size_t> Receiver::groups(GroupInfo* groups, size_t capacity) const noexcept {
  return detail::dump_groups(state_->core.family.id, state_->dump_buffer, groups, capacity);
}

int Receiver::fd() const noexcept { return state_->core.socket.fd(); }
int Receiver::receive_buffer_bytes() const noexcept { return state_->core.receive_buffer_bytes; }
const netlink::FamilyInfo& Receiver::family() const noexcept { return state_->core.family; }

}  // namespace psample
