// Records golden captures (hidden test: run by test/vm/record-captures.sh).
// Every raw datagram the kernel sends to a plain netlink Socket is written to
// /out/capture.nlmsgs; what the scenario configured and sent is written to
// /out/expected.txt, independently of any decoding.
#include <catch2/catch.hpp>

#include <linux/netlink.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <iomanip>
#include <sstream>

#include "guest.hpp"

using namespace psample;
using namespace psample::netlink;

namespace {

std::string hex(const std::vector<uint8_t>& bytes) {
  std::ostringstream out;
  for (uint8_t b : bytes) out << std::hex << std::setw(2) << std::setfill('0') << int(b);
  return out.str();
}

struct Recorder {
  Socket socket;
  std::ofstream datagrams{"/out/capture.nlmsgs", std::ios::binary};
  std::vector<uint8_t> buffer = std::vector<uint8_t>(70000);
  size_t count = 0;

  // Receives (and records) datagrams until `timeout` passes without one.
  void drain(std::chrono::milliseconds quiet = std::chrono::milliseconds(500)) {
    REQUIRE(socket.set_nonblocking(true));
    auto last = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - last < quiet) {
      auto d = socket.receive(MutableByteView(buffer.data(), buffer.size()));
      if (!d) {
        REQUIRE(d.error().code() == ErrorCode::would_block);
        usleep(10000);
        continue;
      }
      record(d->size);
      last = std::chrono::steady_clock::now();
    }
  }
  void record(size_t size) {
    datagrams.write(reinterpret_cast<const char*>(buffer.data()), std::streamsize(size));
    static const char zeros[4] = {};
    datagrams.write(zeros, std::streamsize(align4(size) - size));  // the corpus format pads to NLMSG_ALIGN
    ++count;
  }
};

}  // namespace

TEST_CASE("record a golden capture", "[.capture]") {
  std::ofstream expected("/out/expected.txt");
  utsname name;
  uname(&name);
  expected << "# Written by test/vm/record-captures.sh inside the test VM, from what the scenario\n"
              "# configured and sent (not from decoding). See test/data/README.md.\n";
  expected << "kernel release=" << name.release << "\n";

  auto opened = Socket::open(NETLINK_GENERIC);
  REQUIRE(opened);
  Recorder rec{std::move(*opened)};

  // 1. The GETFAMILY exchange, recorded raw.
  uint8_t request_buffer[64];
  RequestBuilder b(MutableByteView(request_buffer, sizeof request_buffer));
  b.begin(genl_controller_id, flag_request, 1);
  b.put_genl_header(3, 1);  // CTRL_CMD_GETFAMILY
  b.put_string(2, "psample");
  auto request = b.finish();
  REQUIRE(request);
  REQUIRE(rec.socket.send(*request));
  auto reply = rec.socket.receive(MutableByteView(rec.buffer.data(), rec.buffer.size()));
  REQUIRE(reply);
  rec.record(reply->size);
  auto family = parse_family(ByteView(rec.buffer.data(), reply->size));
  REQUIRE(family);
  const int kernel = guest::kernel_version();
  expected << "family name=psample version=1 maxattr=" << (kernel >= 611 ? 16 : 14) << " groups=config,packets\n";
  REQUIRE(rec.socket.join_group(*family->find_group("config")));
  REQUIRE(rec.socket.join_group(*family->find_group("packets")));

  // 2. Two groups: ingress on cap1 (with a cookie), egress on cap0.
  guest::VethPair veth("cap0", "cap1");
  const uint32_t cap0 = guest::ifindex("cap0"), cap1 = guest::ifindex("cap1");
  guest::sh("tc qdisc add dev cap1 clsact && tc qdisc add dev cap0 clsact");
  guest::sh(
      "tc filter add dev cap1 ingress pref 1 matchall action sample rate 1 group 21 trunc 128 "
      "cookie c0ffee0000000001");
  expected << "event command=new_group group=21\n";
  guest::sh("tc filter add dev cap0 egress pref 1 matchall action sample rate 1 group 22 trunc 64");
  expected << "event command=new_group group=22\n";
  rec.drain();

  // 3. Traffic: each frame leaves cap0 (group 22, egress) and enters cap1 (group 21, ingress).
  const std::vector<std::vector<uint8_t>> frames = {guest::ipv4_icmp_echo(0x4242, 1, 56),
                                                    guest::ipv6_icmp_echo(0x4242, 2, 56), guest::arp_request(),
                                                    guest::ipv4_udp(9, 958)};
  const uint64_t time_min = guest::realtime_ns();
  guest::send_frames("cap0", frames);
  rec.drain();
  const uint64_t time_max = guest::realtime_ns();
  for (const auto& frame : frames) {
    const std::string proto = frame[12] == 0x08 && frame[13] == 0x00 ? "0x0800"
                              : frame[12] == 0x86                    ? "0x86dd"
                                                                     : "0x0806";
    expected << "sample group=22 rate=1 trunc=64 iif=- oif=" << cap0 << " origsize=" << frame.size()
             << " proto=" << proto << " cookie=- time_min=" << time_min << " time_max=" << time_max
             << " frame=" << hex(frame) << "\n";
    expected << "sample group=21 rate=1 trunc=128 iif=" << cap1 << " oif=- origsize=" << frame.size()
             << " proto=" << proto << " cookie=" << (kernel >= 611 ? "c0ffee0000000001" : "-")
             << " time_min=" << time_min << " time_max=" << time_max << " frame=" << hex(frame) << "\n";
  }

  // 4. The GET_GROUP dump, recorded raw, on a second socket.
  {
    auto dump_socket = Socket::open(NETLINK_GENERIC);
    REQUIRE(dump_socket);
    RequestBuilder d(MutableByteView(request_buffer, sizeof request_buffer));
    d.begin(family->id, flag_request | flag_dump, 2);
    d.put_genl_header(1, 1);  // PSAMPLE_CMD_GET_GROUP
    auto dump = d.finish();
    REQUIRE(dump);
    REQUIRE(dump_socket->send(*dump));
    for (bool done = false; !done;) {
      auto datagram = dump_socket->receive(MutableByteView(rec.buffer.data(), rec.buffer.size()));
      REQUIRE(datagram);
      rec.record(datagram->size);
      MessageReader messages(ByteView(rec.buffer.data(), datagram->size));
      Message m;
      while (messages.next(m)) done = done || m.is_done() || m.is_error();
    }
    expected << "dump group=21 refcount=1 seq=" << frames.size() << "\n";
    expected << "dump group=22 refcount=1 seq=" << frames.size() << "\n";
  }

  // 5. Removing the actions destroys the groups.
  guest::sh("tc filter del dev cap1 ingress pref 1");
  expected << "event command=del_group group=21\n";
  guest::sh("tc filter del dev cap0 egress pref 1");
  expected << "event command=del_group group=22\n";
  rec.drain();
  WARN("recorded " << rec.count << " datagrams");
}
