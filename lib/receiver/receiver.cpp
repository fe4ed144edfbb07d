// psample-cpp layer 3: the Receiver (composes the netlink layer and the decoder).
#include "psample/receiver.hpp"

#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "psample/decode.hpp"
#include "psample/group_filter.hpp"
#include "psample/group_list.hpp"
#include "psample/netlink/datagram_batch.hpp"
#include "psample/netlink/message.hpp"
#include "receiver/family_errors.hpp"
#include "receiver/sequence_tracker.hpp"

namespace psample {

struct Receiver::State {
  // `slots`: datagrams per recvmmsg (0 for a detached Receiver, which receives nothing).
  State(const ReceiverOptions& chosen, size_t slots) : options(chosen), batch(slots, max_sample_datagram) {}

  ReceiverOptions options;
  netlink::Socket socket;
  netlink::FamilyInfo family;
  int receive_buffer_bytes = 0;
  netlink::DatagramBatch batch;                 // datagrams_per_syscall slots of max_sample_datagram bytes
  std::chrono::milliseconds socket_timeout{0};  // SO_RCVTIMEO in effect (0: never set, waits forever)
  bool batching = false;                        // batch mode (recvmmsg) rather than single (recvfrom); see receive()
  unsigned singles = 0;                         // receives in single mode, for the probe every 16
  ReceiverStats stats;
  detail::SequenceTracker sequences;
  uint32_t joined_packets = 0;  // group ids we are members of (0: none)
  uint32_t joined_config = 0;

  Result<void> subscribe(bool force) noexcept;
  void on_controller_message(const netlink::Message& message) noexcept;

  size_t process(ByteView datagram, uint32_t sender_port, SampleHandler& on_sample,
                 const GroupHandler* on_group) noexcept;
  void count_sequence(uint32_t group, uint32_t seq) noexcept {
    const detail::SequenceTracker::Change change = sequences.observe(group, seq);
    stats.lost = static_cast<uint64_t>(static_cast<int64_t>(stats.lost) + change.lost);
    stats.duplicates += change.duplicate;
    stats.sequence_resyncs += change.resync;
    stats.untracked_samples += change.untracked;
  }
  Result<size_t> receive(SampleHandler& on_sample, const GroupHandler* on_group,
                         std::chrono::milliseconds timeout) noexcept;
  bool wait_if_nonblocking(std::chrono::milliseconds timeout) noexcept;
};

namespace {

Result<void> join(netlink::Socket& socket, const netlink::FamilyInfo& family, const char* group_name) noexcept {
  auto id = family.find_group(group_name);
  if (!id) {
    return Error(ErrorCode::group_not_found, 0, "the psample family has no '%s' multicast group", group_name);
  }
  auto joined = socket.join_group(*id);
  if (!joined && joined.error().code() == ErrorCode::permission_denied) {
    return Error(ErrorCode::permission_denied, joined.error().system_errno(),
                 "joining psample '%s' needs CAP_NET_ADMIN (kernels >= 6.7): run as root or grant the capability",
                 group_name);
  }
  return joined;
}

}  // namespace

Receiver::Receiver(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
Receiver::Receiver(Receiver&&) noexcept = default;
Receiver& Receiver::operator=(Receiver&&) noexcept = default;
Receiver::~Receiver() = default;

Result<Receiver> Receiver::open(const ReceiverOptions& options) noexcept {
  if (options.max_batch == 0) return Error(ErrorCode::invalid_argument, 0, "max_batch must be at least 1");
  if (options.datagrams_per_syscall == 0 || options.datagrams_per_syscall > 1024) {
    return Error(ErrorCode::invalid_argument, 0, "datagrams_per_syscall must be 1 to 1024, got %zu",
                 options.datagrams_per_syscall);
  }
  auto socket = netlink::Socket::open(NETLINK_GENERIC);
  if (!socket) return socket.error();

  std::unique_ptr<State> state(new State(options, options.datagrams_per_syscall));
  state->socket = std::move(*socket);
  netlink::Socket& s = state->socket;

  // Extended ack only improves error text; kernels before 4.12 lack it.
  if (options.extended_ack) (void)s.set_extended_ack(true);

  auto family = netlink::resolve_family(s, family_name, state->batch.slot(0));
  if (!family) {
    return detail::explain_family_error(family.error());
  }
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
    auto notify = nlctrl->find_group("notify");
    if (!notify) return Error(ErrorCode::group_not_found, 0, "nlctrl has no 'notify' group");
    if (auto r = s.join_group(*notify); !r) return r.error();
  }
  if (auto r = state->subscribe(/*force=*/true); !r) return r.error();
  auto size = s.receive_buffer();
  if (!size) return size.error();
  state->receive_buffer_bytes = *size;
  return Receiver(std::move(state));
}

// Joins "packets" (and "config") of the current family and installs the
// group filter for its id. `force` rejoins even groups we think we are in
// (after a reload the kernel drops memberships without telling us).
Result<void> Receiver::State::subscribe(bool force) noexcept {
  if (!socket.is_open()) return {};
  if (!options.groups.empty()) {
    auto program = build_group_filter(family.id, options.groups);
    if (!program) return program.error();
    if (auto r = socket.attach_filter(program->data(), program->size()); !r) return r.error();
  }
  const auto packets = family.find_group(packets_group_name);
  if (force || !packets || *packets != joined_packets) {
    if (auto r = join(socket, family, packets_group_name); !r) return r.error();
    joined_packets = *packets;
  }
  if (options.config_events) {
    const auto config = family.find_group(config_group_name);
    if (force || !config || *config != joined_config) {
      if (auto r = join(socket, family, config_group_name); !r) return r.error();
      joined_config = *config;
    }
  }
  return {};
}

// nlctrl notifications: psample going away or coming back.
void Receiver::State::on_controller_message(const netlink::Message& message) noexcept {
  constexpr int ctrl_cmd_newfamily = 1, ctrl_cmd_delfamily = 2, ctrl_cmd_newmcast_grp = 7;
  const int command = netlink::genl_command(message);
  if (command != ctrl_cmd_newfamily && command != ctrl_cmd_delfamily && command != ctrl_cmd_newmcast_grp) {
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
  if (command == ctrl_cmd_delfamily) {
    ++stats.family_removed;
    joined_packets = joined_config = 0;
    return;
  }
  if (changed->group_count == 0) return;  // NEWFAMILY of a family whose groups come next
  const bool was_joined = joined_packets != 0;
  family = *changed;
  if (subscribe(/*force=*/command == ctrl_cmd_newfamily) && !was_joined && joined_packets != 0) {
    ++stats.resubscriptions;
  }
}

Receiver Receiver::detached(uint16_t family_id, const ReceiverOptions& options) {
  std::unique_ptr<State> state(new State(options, 0));
  state->family.id = family_id;
  return Receiver(std::move(state));
}

size_t Receiver::State::process(ByteView datagram, uint32_t sender_port, SampleHandler& on_sample,
                                const GroupHandler* on_group) noexcept {
  size_t delivered = 0;
  netlink::MessageReader messages(datagram);
  netlink::Message message;
  while (messages.next(message)) {
    if (message.type != family.id) {
      if (message.type == netlink::genl_controller_id && options.follow_module_reload && sender_port == 0) {
        on_controller_message(message);
      } else {
        ++stats.ignored_family;  // NLMSG_ERROR / OVERRUN / DONE in the stream, or another family
      }
      continue;
    }
    if (sender_port != 0 && !options.accept_userspace) {
      ++stats.ignored_sender;
      continue;
    }
    const int command = netlink::genl_command(message);
    if (command == static_cast<int>(Command::sample)) {
      auto view = decode(message, sender_port);
      if (!view) {
        ++stats.malformed;
        continue;
      }
      if (view->present_mask() == 0) {
        ++stats.malformed;  // an empty sample: no producer sends one, and it says nothing
        continue;
      }
      if (view->has_group_seq()) count_sequence(view->group(), view->group_seq());
      ++stats.samples;
      stats.bytes += view->data().size();
      ++delivered;
      on_sample(*view);
    } else if (command == static_cast<int>(Command::new_group) || command == static_cast<int>(Command::del_group)) {
      if (on_group == nullptr || !options.config_events) {
        ++stats.ignored_command;
        continue;
      }
      auto group = decode_group(message.bytes);
      if (!group) {
        ++stats.malformed;
        continue;
      }
      ++stats.group_events;
      (*on_group)(*group);
    } else if (command < 0) {
      ++stats.malformed;  // too short for a genlmsghdr
    } else {
      ++stats.ignored_command;
    }
  }
  if (messages.failed()) ++stats.malformed;
  return delivered;
}

size_t Receiver::process_with(ByteView datagram, uint32_t sender_port, SampleHandler on_sample,
                              const GroupHandler* on_group) noexcept {
  return state_->process(datagram, sender_port, on_sample, on_group);
}
Result<size_t> Receiver::receive_with(SampleHandler on_sample, const GroupHandler* on_group,
                                      std::chrono::milliseconds timeout) noexcept {
  return state_->receive(on_sample, on_group, timeout);
}

// Each syscall takes what is queued, choosing between two ways:
// - batch: one recvmmsg waits for the first datagram (SO_RCVTIMEO is the
//   timeout) and takes every other queued one, up to datagrams_per_syscall.
//   A call that returns fewer than it asked for means the queue is empty.
// - single: one recvfrom per datagram, and receive() returns after one that
//   held a sample (others are read past without waiting). The
//   next call finds the next datagram at once if one is queued. recvfrom is
//   the cheaper syscall per datagram, so while datagrams come one at a time
//   this costs what the plainest blocking-recv loop costs, and no call ever
//   ends on EAGAIN while samples flow.
// Single mode probes with a recvmmsg every 16 datagrams; a probe that fills
// every slot (a backlog) switches to batch mode, and a batch that fills fewer
// switches back. Measured in the load benchmark (test/bench/load):
// per datagram, recvmmsg costs more than recvfrom unless it takes many at
// once, so it is kept for real backlogs.
Result<size_t> Receiver::State::receive(SampleHandler& on_sample, const GroupHandler* on_group,
                                        std::chrono::milliseconds timeout) noexcept {
  if (!socket.is_open()) {
    return Error(ErrorCode::invalid_argument, 0, "this Receiver is detached: feed it with process()");
  }
  bool wait = timeout.count() != 0;
  const std::chrono::milliseconds socket_wait = timeout.count() < 0 ? std::chrono::milliseconds(0) : timeout;
  if (wait && socket_wait != socket_timeout) {
    if (auto r = socket.set_receive_timeout(socket_wait); !r) return r.error();
    socket_timeout = socket_wait;
  }
  size_t delivered = 0;
  size_t datagrams = 0;
  while (datagrams < options.max_batch) {
    const bool batch_mode = batch.slots() > 1 && (batching || ++singles % 16 == 0);
    const size_t wanted = batch_mode ? std::min(batch.slots(), options.max_batch - datagrams) : 1;
    auto received =
        batch_mode && batch.slots() > 1 ? batch.receive(socket, wanted, wait) : batch.receive_one(socket, wait);
    if (!received) {
      switch (received.error().code()) {
        case ErrorCode::overrun:
          ++stats.overruns;  // reported once per overflow; the socket keeps working
          ++datagrams;
          wait = false;
          continue;
        case ErrorCode::interrupted:
          if (wait) return received.error();
          continue;
        case ErrorCode::would_block:
          // The timeout passed, or someone made fd() non-blocking: then wait in poll.
          if (wait && !wait_if_nonblocking(timeout)) return delivered;
          if (wait) {
            wait = false;
            continue;
          }
          return delivered;
        default: return received.error();
      }
    }
    for (size_t i = 0; i < *received; ++i) {
      if (batch.truncated(i)) {
        ++stats.truncated;
        continue;
      }
      delivered += process(batch.bytes(i), batch.sender_port(i), on_sample, on_group);
    }
    datagrams += *received;
    if (!batch_mode) {
      // Single mode returns after a sample: the next call takes the next
      // datagram. Anything else (controller news about a module reload, a
      // message of no interest) is read past without waiting.
      if (delivered > 0) break;
      wait = false;
      continue;
    }
    batching = *received == batch.slots();  // a backlog: every slot filled
    if (*received < wanted) break;          // the queue is empty
    wait = false;
  }
  return delivered;
}

// After a waiting receive said EAGAIN: the socket timeout passed, unless the
// fd is O_NONBLOCK (the caller set it for epoll). Then waits in poll instead.
// True when a datagram is queued. Costs a syscall only when a wait ends empty;
// the receive path itself reads no clock (without a vDSO clock, as under
// some hypervisors and on many MIPS boards, that is a syscall per call).
bool Receiver::State::wait_if_nonblocking(std::chrono::milliseconds timeout) noexcept {
  const int flags = ::fcntl(socket.fd(), F_GETFL);
  if (flags < 0 || (flags & O_NONBLOCK) == 0) return false;
  const long long wait_ms = timeout.count() < 0 ? -1 : timeout.count();
  pollfd descriptor{socket.fd(), POLLIN, 0};
  return ::poll(&descriptor, 1, wait_ms > 0x7fffffff ? 0x7fffffff : static_cast<int>(wait_ms)) > 0;
}

ReceiverStats Receiver::stats() const noexcept {
  ReceiverStats stats = state_->stats;
  if (state_->socket.is_open()) {
    auto drops = state_->socket.kernel_drops();
    if (drops) stats.kernel_drops = *drops;
  }
  return stats;
}

std::vector<GroupCounters> Receiver::group_counters() const { return state_->sequences.groups(); }

Result<std::vector<GroupInfo>> Receiver::groups() const noexcept { return list_groups(state_->family.id); }

int Receiver::fd() const noexcept { return state_->socket.fd(); }
int Receiver::receive_buffer_bytes() const noexcept { return state_->receive_buffer_bytes; }
const netlink::FamilyInfo& Receiver::family() const noexcept { return state_->family; }

Error detail::explain_family_error(const Error& cause) noexcept {
  if (cause.code() != ErrorCode::family_not_found) return cause;
  Error error(ErrorCode::family_not_found, cause.system_errno(),
              "psample generic netlink family not found: load the psample kernel module (modprobe psample) or add a "
              "tc sample action");
  error.set_kernel_message(cause.kernel_message(), static_cast<unsigned>(std::strlen(cause.kernel_message())));
  return error;
}

}  // namespace psample
