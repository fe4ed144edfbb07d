// Host-kernel integration: our Socket, controller and Receiver against the
// running kernel's generic netlink, in a private network namespace.
#include <catch2/catch.hpp>

#include <net/if.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <set>
#include <string>

#include "psample/psample.hpp"
#include "rtnetlink.hpp"

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
    CHECK(receiver->groups());
  } else {
    REQUIRE_FALSE(receiver);
    CHECK(receiver.error().code() == ErrorCode::family_not_found);
    CHECK(std::string(receiver.error().message()) ==
          "generic netlink family 'psample' not found: load the psample kernel module (modprobe psample) or add a tc "
          "sample action");
  }
}
