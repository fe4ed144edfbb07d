// psample end to end: tc sample actions in a real kernel, samples received
// through the public API, every field compared with what was configured.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <thread>

#include <linux/netlink.h>
#include <sys/socket.h>

#include "guest.hpp"

using namespace psample;
using guest::sh;

namespace {
constexpr uint16_t test_ethertype = 0x88b5;  // IEEE local experimental

std::vector<uint8_t> bytes(ByteView v) { return std::vector<uint8_t>(v.begin(), v.end()); }

Receiver open_receiver(const ReceiverOptions& options = {}) {
  auto r = Receiver::open(options);
  INFO("Receiver::open: " << (r ? "" : r.error().message()));
  REQUIRE(r);
  return std::move(*r);
}

// Checks one sample against the frame that caused it.
void check_sample(const Packet& p, const std::vector<uint8_t>& sent, uint32_t group, uint32_t rate, size_t trunc,
                  uint64_t sent_after_ns, uint64_t received_before_ns) {
  CHECK(p.group() == group);
  CHECK(p.sample_rate() == rate);
  CHECK(p.has_orig_size());
  CHECK(p.orig_size() == sent.size());
  const size_t expected_length = std::min(trunc, sent.size());
  REQUIRE(p.data().size() == expected_length);
  CHECK(bytes(p.data()) == std::vector<uint8_t>(sent.begin(), sent.begin() + long(expected_length)));
  CHECK(p.proto() == uint16_t(sent[12] << 8 | sent[13]));
  REQUIRE(p.has_timestamp());
  CHECK(p.timestamp() >= sent_after_ns);
  CHECK(p.timestamp() <= received_before_ns);
  CHECK(p.sender_port() == 0);
  CHECK_FALSE(p.sample_probability());
}

void check_consecutive(const std::vector<Packet>& samples) {
  for (size_t i = 1; i < samples.size(); ++i) {
    INFO("sample " << i);
    CHECK(samples[i].group_seq() == samples[i - 1].group_seq() + 1);
  }
}
}  // namespace

TEST_CASE("ingress sampling on a veth pair: every field as configured", "[e2e]") {
  guest::VethPair veth("in0", "in1");
  sh("tc qdisc add dev in1 clsact");
  sh("tc filter add dev in1 ingress matchall action sample rate 1 group 101 trunc 100");
  Receiver receiver = open_receiver();

  std::vector<std::vector<uint8_t>> frames;
  for (size_t length : {60, 100, 101, 150, 1514})
    frames.push_back(guest::frame(length, test_ethertype, uint8_t(length)));
  const uint64_t before = guest::realtime_ns();
  guest::send_frames("in0", frames);
  auto samples = guest::collect(receiver, frames.size());
  const uint64_t after = guest::realtime_ns();

  REQUIRE(samples.size() == frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    INFO("frame " << i << " of " << frames[i].size() << " bytes");
    check_sample(samples[i], frames[i], 101, 1, 100, before, after);
    CHECK(samples[i].in_ifindex() == guest::ifindex("in1"));
    CHECK_FALSE(samples[i].has_out_ifindex());
    CHECK(samples[i].is_truncated() == (frames[i].size() > 100));
  }
  check_consecutive(samples);
  CHECK(receiver.stats().lost == 0);
  CHECK(receiver.stats().malformed == 0);
}

TEST_CASE("ingress sampling on lo", "[e2e]") {
  sh("tc qdisc add dev lo clsact");
  sh("tc filter add dev lo ingress matchall action sample rate 1 group 102 trunc 32");
  Receiver receiver = open_receiver();
  std::vector<std::vector<uint8_t>> frames;
  for (size_t length : {14, 31, 32, 33, 400}) frames.push_back(guest::frame(length, test_ethertype, 7));
  const uint64_t before = guest::realtime_ns();
  guest::send_frames("lo", frames);
  auto samples = guest::collect(receiver, frames.size());
  const uint64_t after = guest::realtime_ns();
  sh("tc qdisc del dev lo clsact");

  REQUIRE(samples.size() == frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    INFO("frame " << i);
    check_sample(samples[i], frames[i], 102, 1, 32, before, after);
    CHECK(samples[i].in_ifindex() == 1);
  }
  check_consecutive(samples);
}

TEST_CASE("egress sampling: OIFINDEX set, no IIFINDEX for locally generated packets", "[e2e]") {
  guest::VethPair veth("eg0", "eg1");
  sh("tc qdisc add dev eg0 clsact");
  sh("tc filter add dev eg0 egress matchall action sample rate 1 group 103 trunc 64");
  Receiver receiver = open_receiver();
  std::vector<std::vector<uint8_t>> frames = {guest::frame(80, 0x0800, 1), guest::frame(42, 0x0806, 2)};
  const uint64_t before = guest::realtime_ns();
  guest::send_frames("eg0", frames);
  auto samples = guest::collect(receiver, frames.size());
  const uint64_t after = guest::realtime_ns();
  REQUIRE(samples.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    check_sample(samples[i], frames[i], 103, 1, 64, before, after);
    CHECK(samples[i].has_out_ifindex());
    CHECK(samples[i].out_ifindex() == guest::ifindex("eg0"));
    CHECK_FALSE(samples[i].has_in_ifindex());
  }
}

TEST_CASE("two groups with different rates; a filtered receiver sees only its group", "[e2e]") {
  guest::VethPair veth("tg0", "tg1");
  sh("tc qdisc add dev tg1 clsact");
  sh("tc filter add dev tg1 ingress matchall action sample rate 1 group 104 trunc 48 pipe "
     "action sample rate 4 group 105 trunc 128");
  ReceiverOptions large_buffer;
  large_buffer.receive_buffer_bytes = 8 << 20;  // 500 samples queue up before anyone reads
  Receiver everything = open_receiver(large_buffer);
  ReceiverOptions only_105;
  only_105.groups = {105};
  only_105.receive_buffer_bytes = 1 << 20;
  Receiver filtered = open_receiver(only_105);

  std::vector<std::vector<uint8_t>> frames;
  for (int i = 0; i < 400; ++i) frames.push_back(guest::frame(200, test_ethertype, uint8_t(i)));
  guest::send_frames("tg0", frames);

  auto all = guest::collect_until_quiet(everything);
  size_t in_104 = 0, in_105 = 0;
  for (const Packet& p : all) {
    if (p.group() == 104) {
      ++in_104;
      CHECK(p.sample_rate() == 1);
      CHECK(p.data().size() == 48);
    } else {
      REQUIRE(p.group() == 105);
      ++in_105;
      CHECK(p.sample_rate() == 4);
      CHECK(p.data().size() == 128);
    }
  }
  CHECK(in_104 == 400);
  // 1 in 4 at random: 400 frames give about 100; 0 or 400 would mean no sampling.
  CHECK(in_105 > 40);
  CHECK(in_105 < 200);

  auto mine = guest::collect(filtered, in_105, std::chrono::milliseconds(2000));
  CHECK(mine.size() == in_105);
  for (const Packet& p : mine) CHECK(p.group() == 105);
  const ReceiverStats stats = filtered.stats();
  CHECK(stats.samples == in_105);
  CHECK(stats.ignored() == 0);
  REQUIRE(stats.kernel_drops);
  CHECK(*stats.kernel_drops == 0);  // group 104 never reached this socket
  CHECK(stats.lost == 0);
}

TEST_CASE("a tc action cookie arrives as USER_COOKIE on 6.11+ kernels", "[e2e]") {
  guest::VethPair veth("ck0", "ck1");
  sh("tc qdisc add dev ck1 clsact");
  sh("tc filter add dev ck1 ingress matchall action sample rate 1 group 106 cookie 00112233445566778899aabbccddeeff");
  Receiver receiver = open_receiver();
  guest::send_frames("ck0", {guest::frame(64, test_ethertype, 0)});
  auto samples = guest::collect(receiver, 1);
  REQUIRE(samples.size() == 1);
  if (guest::kernel_version() >= 611) {
    REQUIRE(samples[0].has_user_cookie());
    const std::vector<uint8_t> expected = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                           0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    CHECK(bytes(samples[0].user_cookie()) == expected);
  } else {
    CHECK_FALSE(samples[0].has_user_cookie());  // older kernels do not pass the cookie on
  }
}

TEST_CASE("jumbo samples arrive whole", "[e2e]") {
  guest::VethPair veth("jb0", "jb1", 9000);
  sh("tc qdisc add dev jb1 clsact");
  sh("tc filter add dev jb1 ingress matchall action sample rate 1 group 107");
  Receiver receiver = open_receiver();
  const auto big = guest::frame(9014, test_ethertype, 9);
  guest::send_frames("jb0", {big});
  auto samples = guest::collect(receiver, 1);
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].data().size() == 9014);
  CHECK(samples[0].orig_size() == 9014);
  CHECK_FALSE(samples[0].is_truncated());
  CHECK(bytes(samples[0].data()) == big);
  CHECK(receiver.stats().truncated == 0);
}

TEST_CASE("GET_GROUP lists the live groups with refcount and seq", "[e2e]") {
  guest::VethPair veth("gg0", "gg1");
  sh("tc qdisc add dev gg1 clsact");
  sh("tc filter add dev gg1 ingress matchall action sample rate 1 group 108 pipe action sample rate 1 group 108 "
     "pipe action sample rate 1 group 109");
  Receiver receiver = open_receiver();
  guest::send_frames("gg0", {guest::frame(60, test_ethertype, 1), guest::frame(60, test_ethertype, 2)});
  REQUIRE(guest::collect(receiver, 6).size() == 6);

  GroupInfo groups[64];
  auto count = receiver.groups(groups, 64);
  INFO("groups(): " << (count ? "" : count.error().message()));
  REQUIRE(count);
  REQUIRE(*count <= 64);
  auto find = [&](uint32_t id) -> const GroupInfo* {
    for (size_t i = 0; i < *count; ++i)
      if (groups[i].group == id) return &groups[i];
    return nullptr;
  };
  const GroupInfo* g108 = find(108);
  const GroupInfo* g109 = find(109);
  REQUIRE(g108);
  REQUIRE(g109);
  CHECK(g108->refcount == 2);
  CHECK(g108->seq == 4);  // two actions x two frames
  CHECK(g109->refcount == 1);
  CHECK(g109->seq == 2);
}

TEST_CASE("config events: NEW_GROUP when a group appears, DEL_GROUP when it goes", "[e2e]") {
  guest::VethPair veth("cf0", "cf1");
  sh("tc qdisc add dev cf1 clsact");
  ReceiverOptions options;
  options.config_events = true;
  Receiver receiver = open_receiver(options);
  std::vector<GroupInfo> events;
  auto drain = [&] {
    for (int i = 0; i < 10; ++i) {
      auto r = receiver.receive([](const PacketView&) {}, [&](const GroupInfo& g) { events.push_back(g); },
                                std::chrono::milliseconds(100));
      REQUIRE(r);
    }
  };
  sh("tc filter add dev cf1 ingress pref 1 matchall action sample rate 1 group 110");
  drain();
  REQUIRE(events.size() == 1);
  CHECK(events[0].command == Command::new_group);
  CHECK(events[0].group == 110);
  sh("tc filter del dev cf1 ingress pref 1");
  drain();
  REQUIRE(events.size() == 2);
  CHECK(events[1].command == Command::del_group);
  CHECK(events[1].group == 110);
  CHECK(receiver.stats().group_events == 2);
}

TEST_CASE("overload: overruns and kernel drops agree with sequence gaps, and delivery goes on", "[e2e]") {
  guest::VethPair veth("ov0", "ov1");
  sh("tc qdisc add dev ov1 clsact");
  sh("tc filter add dev ov1 ingress matchall action sample rate 1 group 111 trunc 64");
  ReceiverOptions options;
  options.receive_buffer_bytes = 1;  // the kernel's minimum: a few messages fit
  Receiver receiver = open_receiver(options);

  std::vector<std::vector<uint8_t>> flood(3000, guest::frame(60, test_ethertype, 3));
  guest::send_frames("ov0", flood);  // nobody reads meanwhile
  size_t received = guest::collect(receiver, flood.size(), std::chrono::milliseconds(1500)).size();
  // A last frame after the flood shows the tail of the gap and that delivery goes on.
  guest::send_frames("ov0", {guest::frame(60, test_ethertype, 4)});
  const size_t probe = guest::collect(receiver, 1).size();
  CHECK(probe == 1);
  received += probe;

  const ReceiverStats stats = receiver.stats();
  REQUIRE(stats.kernel_drops);
  const uint64_t drops = *stats.kernel_drops;
  WARN("flood of " << flood.size() + 1 << ": received " << received << ", overruns " << stats.overruns
                   << ", kernel drops " << drops << ", sequence gaps " << stats.lost);
  CHECK(stats.overruns > 0);
  CHECK(drops > 0);
  CHECK(received + drops == flood.size() + 1);
  // Tolerance: none. Every message the kernel dropped for this socket is a
  // hole in group 111's sequence, and the probe closes the last hole.
  CHECK(stats.lost == drops);
  CHECK(stats.malformed == 0);
}

TEST_CASE("module reload: the same Receiver resubscribes and goes on delivering", "[e2e]") {
  guest::VethPair veth("rl0", "rl1");
  sh("tc qdisc add dev rl1 clsact");
  sh("tc filter add dev rl1 ingress pref 1 matchall action sample rate 1 group 112");
  Receiver receiver = open_receiver();
  guest::send_frames("rl0", {guest::frame(60, test_ethertype, 1)});
  REQUIRE(guest::collect(receiver, 1).size() == 1);
  const uint16_t old_id = receiver.family().id;

  sh("tc filter del dev rl1 ingress pref 1");
  sh("rmmod act_sample psample");
  // Something else registers a generic netlink family meanwhile, so psample
  // may well come back under another id.
  sh("ip link add rlmon type nlmon && ip link del rlmon");
  sh("insmod $PSAMPLE_VM_MODULES/psample.ko && insmod $PSAMPLE_VM_MODULES/act_sample.ko");
  sh("tc filter add dev rl1 ingress pref 1 matchall action sample rate 1 group 112");
  // The Receiver learns of the reload when it next reads its socket: samples
  // the kernel multicasts before that cannot reach it. Let it read once.
  size_t before_rejoin = 0;
  REQUIRE(receiver.receive([&](const PacketView&) { ++before_rejoin; }, std::chrono::milliseconds(200)));
  CHECK(before_rejoin == 0);

  guest::send_frames("rl0", {guest::frame(60, test_ethertype, 2), guest::frame(61, test_ethertype, 3)});
  auto samples = guest::collect(receiver, 2);
  {
    const ReceiverStats s = receiver.stats();
    INFO("after reload: family_removed " << s.family_removed << ", resubscriptions " << s.resubscriptions
                                         << ", ignored_family " << s.ignored_family << ", malformed " << s.malformed
                                         << ", family id " << receiver.family().id);
    REQUIRE(samples.size() == 2);
  }
  CHECK(samples[0].group() == 112);
  CHECK(samples[1].data().size() == 61);
  const ReceiverStats stats = receiver.stats();
  CHECK(stats.family_removed == 1);
  CHECK(stats.resubscriptions == 1);
  WARN("psample family id before the reload " << old_id << ", after " << receiver.family().id);
}

TEST_CASE("hostile: a truncated datagram is counted and the stream goes on", "[e2e]") {
  guest::VethPair veth("tr0", "tr1");
  sh("tc qdisc add dev tr1 clsact");
  sh("tc filter add dev tr1 ingress matchall action sample rate 1 group 114");
  ReceiverOptions options;
  options.accept_userspace = true;
  Receiver receiver = open_receiver(options);
  sockaddr_nl self{};
  socklen_t length = sizeof self;
  REQUIRE(getsockname(receiver.fd(), reinterpret_cast<sockaddr*>(&self), &length) == 0);

  // A user-space sender unicasts a datagram larger than any sample can be.
  auto sender = netlink::Socket::open(NETLINK_GENERIC);
  REQUIRE(sender);
  std::vector<uint8_t> huge(70000, 0);
  const uint32_t huge_length = uint32_t(huge.size());
  const uint16_t type = receiver.family().id;
  std::memcpy(huge.data(), &huge_length, 4);
  std::memcpy(huge.data() + 4, &type, 2);
  sockaddr_nl destination{};
  destination.nl_family = AF_NETLINK;
  destination.nl_pid = self.nl_pid;
  REQUIRE(sendto(sender->fd(), huge.data(), huge.size(), 0, reinterpret_cast<sockaddr*>(&destination),
                 sizeof destination) == ssize_t(huge.size()));

  guest::send_frames("tr0", {guest::frame(60, test_ethertype, 1)});
  auto samples = guest::collect(receiver, 1);
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].group() == 114);
  CHECK(receiver.stats().truncated == 1);
  CHECK(receiver.stats().malformed == 0);
}
