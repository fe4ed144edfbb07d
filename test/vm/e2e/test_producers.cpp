// User-space producers through a real kernel: a program that multicasts
// psample messages to psample's "packets" group itself, as user-space
// samplers (the VPP sFlow plugin) do: 4-byte IIFINDEX / OIFINDEX, no
// TIMESTAMP, valid messages and broken ones, while the kernel's own samples
// flow into the same group. The kernel delivers what the sender wrote, so
// the Receiver sees exactly those bytes, with the sender's port id.
#include <catch2/catch.hpp>

#include <linux/netlink.h>
#include <sys/socket.h>

#include <map>

#include "guest.hpp"
#include "support/wire.hpp"

using namespace psample;
using guest::sh;

namespace {

constexpr uint32_t kernel_group = 120;
constexpr uint32_t user_group = 121;
constexpr size_t user_valid = 10;
constexpr uint16_t user_proto = 0x0001;  // what the producer claims: an 802.3 / Ethernet frame

// A valid user-space sample: ifindexes above 65535 (a u16 would cut them).
wire::Bytes user_sample(uint16_t family, uint32_t seq) {
  return wire::aligned(wire::genl_message(
      family, 0,
      wire::cat({wire::attr(0, wire::u32(100001 + seq)), wire::attr(1, wire::u32(70000)),
                 wire::attr(2, wire::u32(1514)), wire::attr(3, wire::u32(user_group)), wire::attr(4, wire::u32(seq)),
                 wire::attr(5, wire::u32(4096)), wire::attr(14, wire::u16(user_proto)),
                 wire::attr(6, wire::filled(64, uint8_t(seq)))})));
}

// Broken ones, each a different way: every one must be counted as malformed.
std::vector<wire::Bytes> broken_samples(uint16_t family) {
  std::vector<wire::Bytes> out;
  // 1. An attribute that claims more bytes than the message holds.
  out.push_back(wire::aligned(wire::genl_message(
      family, 0, wire::cat({wire::attr(3, wire::u32(user_group)), wire::attr_with_length(6, 200, wire::filled(8))}))));
  // 2. SAMPLE_GROUP two bytes wide.
  out.push_back(wire::aligned(wire::genl_message(family, 0, wire::attr(3, wire::u16(uint16_t(user_group))))));
  // 3. IIFINDEX three bytes wide.
  out.push_back(wire::aligned(wire::genl_message(
      family, 0, wire::cat({wire::attr(0, wire::Bytes{1, 2, 3}), wire::attr(3, wire::u32(user_group))}))));
  // 4. A message too short for its generic netlink header.
  wire::Bytes short_message = wire::message(family, wire::Bytes{0, 1});
  out.push_back(wire::aligned(short_message));
  return out;
}

Receiver open(bool accept_userspace) {
  ReceiverOptions options;
  options.accept_userspace = accept_userspace;
  auto receiver = Receiver::open(options);
  REQUIRE(receiver);
  return std::move(*receiver);
}

}  // namespace

TEST_CASE("user-space producers: their samples beside the kernel's, counted exactly", "[e2e][producers]") {
  guest::VethPair veth("us0", "us1");
  sh("tc qdisc add dev us1 clsact");
  sh("tc filter add dev us1 ingress matchall action sample rate 1 group " + std::to_string(kernel_group));
  Receiver strict = open(false);
  Receiver accepting = open(true);
  const uint16_t family = accepting.family().id;
  const auto packets = accepting.family().find_group("packets");
  REQUIRE(packets);
  REQUIRE(*packets >= 1);
  REQUIRE(*packets <= 32);  // sockaddr_nl.nl_groups addresses groups 1-32

  auto sender = netlink::Socket::open(NETLINK_GENERIC);
  REQUIRE(sender);
  const uint32_t sender_port = sender->port_id();
  sockaddr_nl to{};
  to.nl_family = AF_NETLINK;
  to.nl_groups = 1u << (*packets - 1);
  auto send = [&](const wire::Bytes& datagram) {
    REQUIRE(sendto(sender->fd(), datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                   sizeof to) == ssize_t(datagram.size()));
  };
  const std::vector<wire::Bytes> broken = broken_samples(family);
  // Interleaved: a kernel sample, a valid user sample, now and then a broken one.
  for (uint32_t i = 0; i < user_valid; ++i) {
    guest::send_frames("us0", {guest::frame(60, 0x88b5, uint8_t(i))});
    send(user_sample(family, i));
    if (i < broken.size()) send(broken[i]);
  }
  const size_t kernel_sent = user_valid, user_sent = user_valid + broken.size();

  // With accept_userspace: every valid one, with its sender and exact fields.
  std::map<uint32_t, std::vector<Packet>> by_group;
  for (Packet& p : guest::collect_until_quiet(accepting)) by_group[p.group()].push_back(std::move(p));
  const std::vector<Packet>& user = by_group[user_group];
  const std::vector<Packet>& kernel = by_group[kernel_group];
  REQUIRE(user.size() == user_valid);
  for (uint32_t i = 0; i < user.size(); ++i) {
    INFO("user sample " << i);
    const Packet& p = user[i];
    CHECK(p.sender_port() == sender_port);
    CHECK(p.group_seq() == i);
    CHECK(p.in_ifindex() == 100001 + i);  // all 32 bits
    CHECK(p.out_ifindex() == 70000);
    CHECK(p.orig_size() == 1514);
    CHECK(p.sample_rate() == 4096);
    CHECK(p.proto() == user_proto);
    CHECK_FALSE(p.has_timestamp());
    CHECK(p.data().size() == 64);
    CHECK(p.data()[0] == uint8_t(i));
  }
  REQUIRE(kernel.size() == kernel_sent);
  for (const Packet& p : kernel) {
    CHECK(p.sender_port() == 0);
    CHECK(p.in_ifindex() == guest::ifindex("us1"));
    CHECK(p.orig_size() == 60);
  }
  CHECK(by_group.size() == 2);
  // The accounting closes: what user space sent = delivered + malformed; what
  // the kernel sent = delivered; nothing lost, nothing dropped, nothing else.
  const ReceiverStats a = accepting.stats();
  CHECK(a.samples == kernel_sent + user_valid);
  CHECK(a.malformed == broken.size());
  CHECK(a.samples + a.malformed == kernel_sent + user_sent);
  CHECK(a.ignored_sender == 0);
  CHECK(a.lost == 0);
  CHECK(a.kernel_drops.value_or(1) == 0);

  // By default user-space senders are ignored, and every message of theirs,
  // valid or broken, counted as ignored_sender; the kernel's all delivered.
  auto strict_samples = guest::collect_until_quiet(strict);
  const ReceiverStats s = strict.stats();
  CHECK(strict_samples.size() == kernel_sent);
  for (const Packet& p : strict_samples) CHECK(p.group() == kernel_group);
  CHECK(s.samples == kernel_sent);
  CHECK(s.ignored_sender == user_sent);
  CHECK(s.malformed == 0);
  CHECK(s.samples + s.ignored_sender == kernel_sent + user_sent);
  CHECK(s.lost == 0);
  CHECK(s.kernel_drops.value_or(1) == 0);
}
