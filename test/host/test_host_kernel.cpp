// Host-kernel integration: our Socket, controller and Receiver against the
// running kernel's generic netlink, in a private network namespace.
#include <catch2/catch.hpp>

#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <fcntl.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "psample/dropmon/drop_monitor.hpp"
#include "psample/psample.hpp"
#include "psample/sampling/link_watcher.hpp"
#include "rtnetlink.hpp"
#include "support/psample_wire.hpp"

using namespace psample;
using namespace psample::netlink;

namespace {
constexpr uint8_t netdev_cmd_dev_add_ntf = 2;  // NETDEV_CMD_DEV_ADD_NTF
constexpr uint16_t netdev_a_dev_ifindex = 1;   // NETDEV_A_DEV_IFINDEX

uint8_t scratch[65536];
MutableByteView scratch_view() { return MutableByteView(scratch, sizeof scratch); }

Socket open_generic() {
  auto socket = Socket::open(NETLINK_GENERIC);
  REQUIRE(socket);
  return std::move(*socket);
}

int unique_suffix() {
  static int n = 0;
  return ++n;
}
}  // namespace

TEST_CASE("resolve nlctrl and netdev through CTRL_CMD_GETFAMILY", "[host]") {
  Socket socket = open_generic();
  CHECK(socket.port_id() != 0);

  auto nlctrl = resolve_family(socket, "nlctrl", scratch_view());
  REQUIRE(nlctrl);
  CHECK(nlctrl->id == genl_controller_id);
  CHECK(std::string(nlctrl->name) == "nlctrl");
  CHECK(nlctrl->find_group("notify"));

  auto netdev = resolve_family(socket, "netdev", scratch_view());
  REQUIRE(netdev);
  CHECK(netdev->id > genl_controller_id);
  CHECK(std::string(netdev->name) == "netdev");
  CHECK(netdev->version >= 1);
  CHECK(netdev->find_group("mgmt"));
}

TEST_CASE("an unknown family is family_not_found", "[host]") {
  Socket socket = open_generic();
  auto family = resolve_family(socket, "no-such-family", scratch_view());
  REQUIRE_FALSE(family);
  CHECK(family.error().code() == ErrorCode::family_not_found);
  CHECK(family.error().system_errno() == ENOENT);
  CHECK(std::string(family.error().message()).find("no-such-family") != std::string::npos);
}

TEST_CASE("netdev 'mgmt' delivers the kernel's DEV_ADD notifications for a new veth pair", "[host]") {
  Socket socket = open_generic();
  auto netdev = resolve_family(socket, "netdev", scratch_view());
  REQUIRE(netdev);
  REQUIRE(socket.join_group(*netdev->find_group("mgmt")));

  const std::string a = "psa" + std::to_string(unique_suffix()), b = a + "p";
  auto created = host::create_link("veth", a, b);
  REQUIRE(created);
  const uint32_t index_a = if_nametoindex(a.c_str()), index_b = if_nametoindex(b.c_str());
  REQUIRE(index_a != 0);
  REQUIRE(index_b != 0);

  REQUIRE(socket.set_nonblocking(true));
  std::set<uint32_t> announced;
  for (int tries = 0; tries < 8 && announced.size() < 2; ++tries) {
    auto datagram = socket.receive(scratch_view());
    if (!datagram && datagram.error().code() == ErrorCode::would_block) {
      usleep(50000);
      continue;
    }
    REQUIRE(datagram);
    CHECK(datagram->sender_port == 0);  // the kernel
    MessageReader messages(ByteView(scratch, datagram->size));
    Message m;
    while (messages.next(m)) {
      CHECK(m.type == netdev->id);
      if (genl_command(m) != netdev_cmd_dev_add_ntf) continue;
      AttributeReader attributes(m.payload.subview(genl_header_size));
      Attribute attribute;
      while (attributes.next(attribute)) {
        if (attribute.type() == netdev_a_dev_ifindex) announced.insert(attribute.as_u32().value_or(0));
      }
      CHECK_FALSE(attributes.failed());
    }
    CHECK_FALSE(messages.failed());
  }
  CHECK(announced == std::set<uint32_t>{index_a, index_b});
}

TEST_CASE("a receive buffer too small for a datagram yields truncated, then the stream goes on", "[host]") {
  Socket socket = open_generic();
  auto netdev = resolve_family(socket, "netdev", scratch_view());
  REQUIRE(netdev);
  REQUIRE(socket.join_group(*netdev->find_group("mgmt")));
  const std::string a = "psa" + std::to_string(unique_suffix()), b = a + "p";
  REQUIRE(host::create_link("veth", a, b));

  uint8_t tiny[24];
  auto first = socket.receive(MutableByteView(tiny, sizeof tiny));
  REQUIRE_FALSE(first);
  CHECK(first.error().code() == ErrorCode::truncated);
  CHECK(std::string(first.error().message()).find("dropped unparsed") != std::string::npos);

  auto second = socket.receive(scratch_view(), /*dont_wait=*/true);  // the peer's notification
  REQUIRE(second);
  MessageReader messages(ByteView(scratch, second->size));
  Message m;
  REQUIRE(messages.next(m));
  CHECK(m.type == netdev->id);
}

TEST_CASE("kernel errors carry the extended-ack text", "[host]") {
  auto created = host::create_link("no-such-kind", "psx0", "");
  REQUIRE_FALSE(created);
  CHECK(created.error().code() == ErrorCode::kernel_error);
  CHECK(created.error().system_errno() == EOPNOTSUPP);
  INFO("message: " << created.error().message());
  CHECK(std::string(created.error().kernel_message()) == "Unknown device type");
}

TEST_CASE("socket options: receive buffer, non-blocking, drop counter", "[host]") {
  Socket socket = open_generic();
  auto size = socket.set_receive_buffer(1 << 20);
  REQUIRE(size);
  CHECK(*size >= (1 << 20));  // root: SO_RCVBUFFORCE, which the kernel doubles
  CHECK(socket.set_no_enobufs(true));
  CHECK(socket.set_extended_ack(true));
  REQUIRE(socket.set_nonblocking(true));
  auto nothing = socket.receive(scratch_view());
  REQUIRE_FALSE(nothing);
  CHECK(nothing.error().code() == ErrorCode::would_block);
  auto drops = socket.kernel_drops();
  REQUIRE(drops);
  CHECK(*drops == 0);
  CHECK_FALSE(socket.set_receive_buffer(0));
}

TEST_CASE("Receiver::open names the fix when psample is missing", "[host]") {
  Socket socket = open_generic();
  const bool kernel_has_psample = resolve_family(socket, "psample", scratch_view()).ok();
  auto receiver = Receiver::open();
  if (kernel_has_psample) {
    INFO("this kernel has psample: open must succeed");
    REQUIRE(receiver);
    CHECK(receiver->fd() >= 0);
    GroupInfo groups[64];
    CHECK(receiver->groups(groups, 64));
  } else {
    REQUIRE_FALSE(receiver);
    CHECK(receiver.error().code() == ErrorCode::family_not_found);
    CHECK(std::string(receiver.error().message()) ==
          "generic netlink family 'psample' not found: load the psample kernel module (modprobe psample) or add a tc "
          "sample action");
  }
}

namespace {
// Unicasts `datagram` from `from` to the netlink socket bound to `port`, as a
// user-space psample producer does.
void unicast(const Socket& from, uint32_t port, const wire::Bytes& datagram) {
  sockaddr_nl to{};
  to.nl_family = AF_NETLINK;
  to.nl_pid = port;
  REQUIRE(::sendto(from.fd(), datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) ==
          static_cast<ssize_t>(datagram.size()));
}
wire::Bytes sample_datagram(uint32_t seq) {
  wire::SampleSpec spec;
  spec.group = 5;
  spec.seq = seq;
  return wire::aligned(wire::kernel_sample(spec));
}
}  // namespace

// Receiver::receive() on a real netlink socket, fed by unicast from another
// socket (the kernel queues it like psample's multicast), so the receive loop
// (receive_loop.cpp) runs without the psample module.
TEST_CASE("the receive loop drains a backlog, waits, and polls a non-blocking fd", "[host][receive-loop]") {
  const size_t per_syscall = GENERATE(size_t(1), size_t(16));
  INFO("datagrams_per_syscall " << per_syscall);
  Socket sender = open_generic();
  Socket socket = open_generic();
  const uint32_t port = socket.port_id();
  ReceiverOptions options;
  options.accept_userspace = true;
  options.datagrams_per_syscall = per_syscall;
  auto receiver = Receiver::adopt(std::move(socket), wire::test_family_id, options);
  REQUIRE(receiver);
  size_t seen = 0;
  uint32_t last_seq = 0;
  const auto on_sample = [&](const PacketView& p) {
    ++seen;
    CHECK(p.group_seq() == last_seq + 1);  // in order, none skipped
    last_seq = p.group_seq();
    CHECK(p.sender_port() == sender.port_id());
  };

  SECTION("a backlog of 100 is drained, in order, by calls that do not wait") {
    for (uint32_t seq = 1; seq <= 100; ++seq) unicast(sender, port, sample_datagram(seq));
    size_t calls = 0;
    for (;;) {
      auto got = receiver->receive(on_sample, std::chrono::milliseconds(0));
      REQUIRE(got);
      ++calls;
      if (*got == 0) break;
    }
    CHECK(seen == 100);
    CHECK(receiver->stats().samples == 100);
    CHECK(receiver->stats().lost == 0);
    // Single mode returns after each sample; batches take up to 16 at a time.
    if (per_syscall == 16) CHECK(calls < 100);
  }
  SECTION("an empty queue: a timed wait ends with 0, then a sample sent meanwhile is taken") {
    auto got = receiver->receive(on_sample, std::chrono::milliseconds(20));
    REQUIRE(got);
    CHECK(*got == 0);
    std::thread later([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      unicast(sender, port, sample_datagram(1));
    });
    got = receiver->receive(on_sample, std::chrono::milliseconds(5000));
    later.join();
    REQUIRE(got);
    CHECK(*got == 1);
  }
  SECTION("O_NONBLOCK set on fd() (for epoll): a waiting receive polls instead of returning at once") {
    const int flags = ::fcntl(receiver->fd(), F_GETFL);
    REQUIRE(::fcntl(receiver->fd(), F_SETFL, flags | O_NONBLOCK) == 0);
    std::thread later([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      unicast(sender, port, sample_datagram(1));
    });
    auto got = receiver->receive(on_sample, std::chrono::milliseconds(5000));
    later.join();
    REQUIRE(got);
    CHECK(*got == 1);
    auto none = receiver->receive(on_sample, std::chrono::milliseconds(0));
    REQUIRE(none);
    CHECK(*none == 0);
  }
}

// Coalescing: a call that delivered samples and emptied the queue makes the
// next waiting call sleep `coalesce` first, so what arrives meanwhile comes
// back from one call (one recvmmsg) rather than one call per sample.
TEST_CASE("coalesce: the call after a delivering one gathers what arrives while it sleeps", "[host][receive-loop]") {
  const auto coalesce = GENERATE(std::chrono::microseconds(0), std::chrono::microseconds(100000));
  INFO("coalesce " << coalesce.count() << " us");
  Socket sender = open_generic();
  Socket socket = open_generic();
  const uint32_t port = socket.port_id();
  ReceiverOptions options;
  options.accept_userspace = true;
  options.coalesce = coalesce;
  auto receiver = Receiver::adopt(std::move(socket), wire::test_family_id, options);
  REQUIRE(receiver);
  uint32_t last_seq = 0;
  const auto on_sample = [&](const PacketView& p) {
    CHECK(p.group_seq() == last_seq + 1);
    last_seq = p.group_seq();
  };
  unicast(sender, port, sample_datagram(1));
  auto first = receiver->receive(on_sample, std::chrono::milliseconds(1000));
  REQUIRE(first);
  REQUIRE(*first == 1);

  SECTION("four samples sent 10 ms later") {
    std::thread later([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      for (uint32_t seq = 2; seq <= 5; ++seq) unicast(sender, port, sample_datagram(seq));
    });
    auto got = receiver->receive(on_sample, std::chrono::milliseconds(1000));
    later.join();
    REQUIRE(got);
    // Without coalescing the call returns after the first to arrive.
    CHECK(*got == (coalesce.count() > 0 ? 4u : 1u));
    CHECK(receiver->stats().samples == 1 + *got);
  }
  SECTION("a zero-timeout call (an event loop's) never sleeps") {
    const auto start = std::chrono::steady_clock::now();
    auto got = receiver->receive(on_sample, std::chrono::milliseconds(0));
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(got);
    CHECK(*got == 0);
    CHECK(took < std::chrono::milliseconds(50));  // well below the 100 ms pause
  }
}

namespace {
// A psample-shaped stream multicast on a NETLINK_USERSOCK group, which root
// may send to: the kernel queues it for each member the way it queues
// psample's (netlink_broadcast), overflowing a full buffer with ENOBUFS.
class UsersockStream {
 public:
  static constexpr uint32_t group = 9;
  UsersockStream() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK)) {}
  ~UsersockStream() { ::close(fd_); }
  // A Receiver on a USERSOCK socket that joined the group, with this
  // receive buffer (SO_RCVBUF; the kernel doubles it).
  static Receiver receiver(ReceiverOptions options, int buffer_bytes) {
    auto socket = Socket::open(NETLINK_USERSOCK);
    REQUIRE(socket);
    REQUIRE(socket->join_group(group));
    REQUIRE(socket->set_receive_buffer(buffer_bytes));
    options.accept_userspace = true;
    auto receiver = Receiver::adopt(std::move(*socket), wire::test_family_id, options);
    REQUIRE(receiver);
    return std::move(*receiver);
  }
  // Sends sample `seq`; false when the kernel refused it. (Having delivered
  // to the group, the kernel also tries port 0, where USERSOCK has no
  // kernel socket, and says ECONNREFUSED: the group got it.) Thread-safe.
  bool send(uint32_t seq) const {
    const wire::Bytes datagram = sample_datagram(seq);
    sockaddr_nl to{};
    to.nl_family = AF_NETLINK;
    to.nl_groups = 1u << (group - 1);
    const ssize_t n =
        ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    return n == static_cast<ssize_t>(datagram.size()) || (n < 0 && errno == ECONNREFUSED);
  }

 private:
  int fd_;
};

using Clock = std::chrono::steady_clock;
}  // namespace

// An overrun reported at the end of a batch (max_batch 1: the ENOBUFS is the
// first thing each overflowed socket reports) must not make the next call
// wait: every queued sample comes back without a wait, then a sample sent
// after a silence comes back as soon as it is sent (a socket left congested
// on an empty queue would drop it and wait out the 5 s timeout).
TEST_CASE("after an overrun the queue is drained at once, and a later sample arrives promptly",
          "[host][receive-loop]") {
  const size_t max_batch = GENERATE(size_t(1), size_t(256));
  const auto coalesce = GENERATE(std::chrono::microseconds(0), std::chrono::microseconds(1000));
  INFO("max_batch " << max_batch << ", coalesce " << coalesce.count() << " us");
  UsersockStream stream;
  ReceiverOptions options;
  options.max_batch = max_batch;
  options.coalesce = coalesce;
  Receiver receiver = UsersockStream::receiver(options, 4096);
  constexpr uint32_t burst = 200;  // far more than 8 KiB hold
  for (uint32_t seq = 1; seq <= burst; ++seq) REQUIRE(stream.send(seq));
  size_t delivered = 0;
  const auto start = Clock::now();
  for (;;) {
    auto got = receiver.receive([](const PacketView&) {}, std::chrono::milliseconds(0));
    REQUIRE(got);
    if (*got == 0) break;
    delivered += *got;
  }
  CHECK(Clock::now() - start < std::chrono::milliseconds(500));
  const ReceiverStats drained = receiver.stats();
  CHECK(drained.overruns >= 1);
  REQUIRE(drained.kernel_drops);
  CHECK(delivered + *drained.kernel_drops == burst);  // every sample: delivered or counted
  // Silence, then one sample 50 ms into a 5 s wait.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  bool sent = false;
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sent = stream.send(burst + 1);
  });
  const auto waited = Clock::now();
  auto got = receiver.receive([](const PacketView&) {}, std::chrono::milliseconds(5000));
  const auto took = Clock::now() - waited;
  later.join();
  REQUIRE(sent);
  REQUIRE(got);
  CHECK(*got == 1);
  CHECK(took < std::chrono::milliseconds(1000));
  // The gap before it is the loss the kernel counted.
  CHECK(receiver.stats().kernel_drops == drained.kernel_drops);
  CHECK(receiver.stats().lost == *drained.kernel_drops);
}

// Bursts into a small buffer: 16 samples at once, 500 us apart (~41 % of a
// 16 KiB buffer each, ~32,000 samples/s), 300 bursts. A 1 ms sleep that does
// not look at the queue lets two or three bursts pile up and overflow it;
// the watchful sleep ends at the first. The coalescing Receiver must lose no
// more than the same Receiver with coalesce 0 in the same conditions: they
// take turns, three rounds, and the comparison must hold in one (the other
// load on this machine moves both).
TEST_CASE("coalescing loses no more than coalesce 0 when bursts come into a small buffer", "[host][receive-loop]") {
  constexpr uint32_t bursts = 300, per_burst = 16;
  const auto run = [](std::chrono::microseconds coalesce) {
    UsersockStream stream;
    ReceiverOptions options;
    options.coalesce = coalesce;
    Receiver receiver = UsersockStream::receiver(options, 16384);
    std::atomic<bool> done{false};
    uint32_t refused = 0;
    std::thread sender([&] {
      timespec next;
      clock_gettime(CLOCK_MONOTONIC, &next);
      uint32_t seq = 0;
      for (uint32_t b = 0; b < bursts; ++b) {
        for (uint32_t i = 0; i < per_burst; ++i) refused += !stream.send(++seq);
        // The next burst 500 us after this one was due, or after now when
        // this thread was late (no catch-up: a late thread would send bursts
        // back to back, one burst bigger than the buffer).
        timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        next.tv_nsec += 500000;
        if (next.tv_nsec >= 1000000000) next.tv_nsec -= 1000000000, ++next.tv_sec;
        if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec)) {
          next = now;
          next.tv_nsec += 500000;
          if (next.tv_nsec >= 1000000000) next.tv_nsec -= 1000000000, ++next.tv_sec;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      done = true;
    });
    uint64_t delivered = 0;
    while (!done) {
      auto got = receiver.receive([](const PacketView&) {}, std::chrono::milliseconds(20));
      if (got) delivered += *got;
    }
    for (;;) {  // what is still queued
      auto got = receiver.receive([](const PacketView&) {}, std::chrono::milliseconds(0));
      if (!got || *got == 0) break;
      delivered += *got;
    }
    sender.join();
    CHECK(refused == 0);
    const ReceiverStats stats = receiver.stats();
    REQUIRE(stats.kernel_drops);
    CHECK(delivered + *stats.kernel_drops == bursts * per_burst);
    return *stats.kernel_drops;
  };
  bool held = false;
  for (int round = 0; round < 3 && !held; ++round) {
    const uint64_t lost_coalescing = run(std::chrono::microseconds(1000));
    const uint64_t lost_plain = run(std::chrono::microseconds(0));
    UNSCOPED_INFO("round " << round << ": coalesce 1000 us lost " << lost_coalescing << ", coalesce 0 lost "
                           << lost_plain << " of " << bursts * per_burst);
    held = lost_coalescing <= lost_plain;
  }
  CHECK(held);
}

TEST_CASE("coalesce outside 0..100000 us is refused", "[host]") {
  for (auto pause : {std::chrono::microseconds(-1), std::chrono::microseconds(100001)}) {
    ReceiverOptions options;
    options.coalesce = pause;
    auto receiver = Receiver::adopt(open_generic(), wire::test_family_id, options);
    REQUIRE_FALSE(receiver);
    CHECK(receiver.error().code() == ErrorCode::invalid_argument);
    CHECK(std::string(receiver.error().message()) ==
          "coalesce must be 0-100000 us, got " + std::to_string(pause.count()) + " us");
  }
}

TEST_CASE("adopt() refuses a closed socket", "[host]") {
  auto receiver = Receiver::adopt(Socket(), wire::test_family_id);
  REQUIRE_FALSE(receiver);
  CHECK(receiver.error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("requests on one socket get new sequence numbers", "[host]") {
  Socket socket = open_generic();
  const uint32_t first = socket.next_sequence();
  CHECK(socket.next_sequence() == first + 1);
  // Two exchanges on the same socket: each takes only its own replies.
  auto nlctrl = resolve_family(socket, "nlctrl", scratch_view());
  REQUIRE(nlctrl);
  auto again = resolve_family(socket, "nlctrl", scratch_view());
  REQUIRE(again);
  CHECK(again->id == nlctrl->id);
  CHECK(socket.next_sequence() == first + 4);
}

TEST_CASE("datagram_bytes: a longer datagram is counted as truncated and the stream goes on", "[host][receive-loop]") {
  Socket sender = open_generic();
  Socket socket = open_generic();
  const uint32_t port = socket.port_id();
  ReceiverOptions options;
  options.accept_userspace = true;
  options.datagram_bytes = 8192;
  auto receiver = Receiver::adopt(std::move(socket), wire::test_family_id, options);
  REQUIRE(receiver);
  wire::SampleSpec big;
  big.group = 5;
  big.seq = 1;
  big.data = wire::filled(9000);
  unicast(sender, port, wire::aligned(wire::kernel_sample(big)));
  unicast(sender, port, sample_datagram(2));
  size_t seen = 0;
  for (int i = 0; i < 4; ++i) {
    auto got =
        receiver->receive([&](const PacketView& p) { seen += p.group_seq() == 2; }, std::chrono::milliseconds(0));
    REQUIRE(got);
  }
  CHECK(seen == 1);
  CHECK(receiver->stats().truncated == 1);
}

TEST_CASE("datagram_bytes outside 8192..65556 is refused", "[host]") {
  for (size_t bytes : {size_t(4096), size_t(max_sample_datagram + 1)}) {
    ReceiverOptions options;
    options.datagram_bytes = bytes;
    auto receiver = Receiver::adopt(open_generic(), wire::test_family_id, options);
    REQUIRE_FALSE(receiver);
    CHECK(receiver.error().code() == ErrorCode::invalid_argument);
    CHECK(std::string(receiver.error().message()).find("datagram_bytes") != std::string::npos);
  }
}

// NLM_F_DUMP_INTR, which the kernel sets when a dump raced a change: replies
// with the flag are queued ahead of the kernel's own by a second socket that
// writes them with our port id and sequence number.
TEST_CASE("a dump reply flagged NLM_F_DUMP_INTR ends the exchange with dump_interrupted", "[host]") {
  Socket socket = open_generic();
  Socket injector = open_generic();
  const uint32_t sequence = socket.next_sequence();
  const uint16_t multi_interrupted = flag_multi | flag_dump_interrupted;
  unicast(injector, socket.port_id(),
          wire::cat({wire::aligned(wire::genl_message(0x10, 1, wire::attr(1, wire::u16(0x10)), multi_interrupted,
                                                      sequence, socket.port_id())),
                     wire::message(message_type_done, wire::u32(0), flag_multi, sequence, socket.port_id())}));
  uint8_t request[64];
  RequestBuilder builder(MutableByteView(request, sizeof request));
  builder.begin(genl_controller_id, flag_request | flag_dump, sequence);
  builder.put_genl_header(ctrl::cmd_getfamily, 1);
  auto built = builder.finish();
  REQUIRE(built);
  size_t replies = 0;
  auto done = exchange(socket, *built, scratch_view(), "CTRL_CMD_GETFAMILY dump", [&](const Message&) -> Result<void> {
    ++replies;
    return {};
  });
  REQUIRE_FALSE(done);
  CHECK(done.error().code() == ErrorCode::dump_interrupted);
  CHECK(std::string(done.error().message()).find("ask again") != std::string::npos);
  CHECK(replies == 1);
}

TEST_CASE("kernel_drops counts every message the kernel could not queue for the socket", "[host]") {
  // A NETLINK_USERSOCK multicast group (root may send to it) and a receiver
  // with the smallest buffer: the messages that do not fit are dropped and
  // counted. Sent = read back + kernel_drops, and the figure equals the
  // Drops column /proc/net/netlink shows for the socket's inode.
  constexpr uint32_t group = 7;
  constexpr int sent = 400;
  auto receiver = Socket::open(NETLINK_USERSOCK);
  REQUIRE(receiver);
  REQUIRE(receiver->join_group(group));
  REQUIRE(receiver->set_receive_buffer(1));  // the kernel's minimum
  REQUIRE(receiver->set_no_enobufs(true));
  REQUIRE(receiver->set_nonblocking(true));
  const int sender = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);
  REQUIRE(sender >= 0);
  sockaddr_nl to{};
  to.nl_family = AF_NETLINK;
  to.nl_groups = 1u << (group - 1);
  const wire::Bytes message = wire::message(0x20, wire::filled(200));
  for (int i = 0; i < sent; ++i) {
    // The group gets it first; the unicast to port 0 that follows finds no
    // kernel socket in NETLINK_USERSOCK and answers ECONNREFUSED.
    const ssize_t n =
        sendto(sender, message.data(), message.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    INFO("sendto: " << std::strerror(errno));
    REQUIRE((n == static_cast<ssize_t>(message.size()) || errno == ECONNREFUSED));
  }
  close(sender);
  auto drops = receiver->kernel_drops();
  REQUIRE(drops);
  int received = 0;
  while (receiver->receive(scratch_view())) ++received;
  INFO("received " << received << ", kernel_drops " << *drops);
  CHECK(received > 0);
  CHECK(*drops > 0);
  CHECK(received + *drops == static_cast<uint64_t>(sent));
  // The same counter as /proc/net/netlink's Drops column (this thread's namespace).
  struct stat status;
  REQUIRE(fstat(receiver->fd(), &status) == 0);
  std::ifstream table("/proc/net/netlink");
  std::string line;
  unsigned long long listed = ~0ull;
  while (std::getline(table, line)) {
    unsigned long long row_drops = 0, inode = 0;
    if (std::sscanf(line.c_str(), "%*s %*d %*u %*x %*d %*d %*d %*d %llu %llu", &row_drops, &inode) == 2 &&
        inode == static_cast<unsigned long long>(status.st_ino))
      listed = row_drops;
  }
  CHECK(listed == *drops);
}

TEST_CASE("the running kernel's extended ack points at an attribute, and the error names it", "[host]") {
  Socket socket = open_generic();
  REQUIRE(socket.set_extended_ack(true));
  // FAMILY_NAME without its NUL: nlctrl's policy (NLA_NUL_STRING) refuses it
  // and the kernel's extended ack gives the attribute's offset (byte 20).
  const wire::Bytes request = wire::genl_message(genl_controller_id, ctrl::cmd_getfamily,
                                                 wire::attr(ctrl::attr_family_name, wire::filled(7, 'p')), flag_request,
                                                 socket.next_sequence());
  RequestLayout layout;
  layout.attribute_name = ctrl::attribute_name;
  auto done = exchange(
      socket, wire::view(request), scratch_view(), "CTRL_CMD_GETFAMILY",
      [](const Message&) -> Result<void> { return {}; }, layout);
  REQUIRE_FALSE(done);
  INFO(done.error().message());
  CHECK(done.error().system_errno() == EINVAL);
  CHECK(std::string(done.error().message()).find("(the kernel points at attribute FAMILY_NAME (2))") !=
        std::string::npos);
}

TEST_CASE("DropMonitor::open names the fix: the module, and the initial network namespace", "[host]") {
  // These tests run in a private network namespace, where NET_DM never
  // exists (the VM tests check each message where the module is loaded).
  auto monitor = psample::dropmon::DropMonitor::open();
  REQUIRE_FALSE(monitor);
  CHECK(monitor.error().code() == ErrorCode::family_not_found);
  const std::string message = monitor.error().message();
  INFO(message);
  CHECK(message.rfind("generic netlink family 'NET_DM' not found", 0) == 0);
  CHECK(message.find("initial network namespace") != std::string::npos);
  CHECK((message.find("modprobe drop_monitor") != std::string::npos ||
         message.find("the drop_monitor module is loaded") != std::string::npos));
}

namespace {
// This thread's network namespace, as an inode number.
ino_t thread_netns() {
  struct stat s {};
  REQUIRE(stat("/proc/thread-self/ns/net", &s) == 0);
  return s.st_ino;
}

// A second network namespace, held by a thread of its own until destroyed;
// path() opens it (/proc/self/task/TID/ns/net).
class OtherNamespace {
 public:
  OtherNamespace() {
    thread_ = std::thread([this] {
      const bool ok = unshare(CLONE_NEWNET) == 0;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        tid_ = ok ? gettid() : -1;
      }
      ready_.notify_all();
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return finished_; });
    });
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [this] { return tid_ != 0; });
  }
  ~OtherNamespace() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_ = true;
    }
    done_.notify_all();
    thread_.join();
  }
  bool ok() const { return tid_ > 0; }
  std::string path() const { return "/proc/self/task/" + std::to_string(tid_) + "/ns/net"; }

 private:
  std::mutex mutex_;
  std::condition_variable ready_, done_;
  bool finished_ = false;
  pid_t tid_ = 0;
  std::thread thread_;
};

std::set<std::string> link_names(psample::sampling::LinkWatcher& watcher) {
  std::set<std::string> names;
  auto listed = watcher.list([&](const psample::sampling::LinkEvent& e) { names.insert(e.name); });
  REQUIRE(listed);
  CHECK(*listed == names.size());
  return names;
}
}  // namespace

TEST_CASE("in_netns: a LinkWatcher opened in another namespace sees that one's links, the thread stays home",
          "[host]") {
  OtherNamespace other;
  REQUIRE(other.ok());
  const ino_t home = thread_netns();
  const std::string a = "psn" + std::to_string(unique_suffix()), b = a + "p";
  REQUIRE(host::create_link("veth", a, b));  // here, not there

  auto there = psample::in_netns(other.path().c_str(), [] { return psample::sampling::LinkWatcher::open(); });
  REQUIRE(there);
  CHECK(thread_netns() == home);
  auto here = psample::sampling::LinkWatcher::open();
  REQUIRE(here);
  const std::set<std::string> there_names = link_names(*there), here_names = link_names(*here);
  CHECK(there_names == std::set<std::string>{"lo"});  // a new namespace has only lo
  CHECK(here_names.count(a) == 1);
  CHECK(here_names.count(b) == 1);

  // Notifications: a link made over there arrives there, one made here does not.
  const std::string c = "psn" + std::to_string(unique_suffix()), d = c + "p";
  REQUIRE(host::create_link("veth", c, d));
  auto made = psample::in_netns(other.path().c_str(), [] { return host::create_link("veth", "inner0", "inner1"); });
  REQUIRE(made);
  CHECK(thread_netns() == home);
  std::set<std::string> seen;
  for (int tries = 0; tries < 10 && seen.count("inner1") == 0; ++tries) {
    auto polled = there->poll([&](const psample::sampling::LinkEvent& e) {
      if (e.kind == psample::sampling::LinkEvent::Kind::present) seen.insert(e.name);
    });
    REQUIRE(polled);
    usleep(20000);
  }
  CHECK(seen.count("inner0") == 1);
  CHECK(seen.count("inner1") == 1);
  CHECK(seen.count(c) == 0);
  CHECK(seen.count(d) == 0);
  CHECK(link_names(*there) == std::set<std::string>{"inner0", "inner1", "lo"});
}

TEST_CASE("in_netns: errors name the fix and leave the thread where it was", "[host]") {
  const ino_t home = thread_netns();
  bool called = false;
  auto missing = psample::in_netns("no-such-namespace", [&]() -> Result<int> {
    called = true;
    return 1;
  });
  REQUIRE_FALSE(missing);
  CHECK_FALSE(called);
  INFO(missing.error().message());
  CHECK(std::string(missing.error().message()).find("network namespace 'no-such-namespace' not found") == 0);
  CHECK(std::string(missing.error().message()).find("ip netns list") != std::string::npos);

  auto not_net = psample::in_netns("/proc/self/ns/mnt", [&]() -> Result<int> {
    called = true;
    return 1;
  });
  REQUIRE_FALSE(not_net);
  CHECK_FALSE(called);
  CHECK(std::string(not_net.error().message()).find("(not a network namespace)") != std::string::npos);
  CHECK(thread_netns() == home);
}
