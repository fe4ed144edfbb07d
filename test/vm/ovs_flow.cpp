// ovs-flow DATAPATH IN_PORT_DEV OUT_PORT_DEV GROUP PROBABILITY COOKIE_HEX:
// programs the kernel's Open vSwitch datapath directly over generic netlink
// (the ovs_datapath, ovs_vport and ovs_flow families), with psample-cpp's
// netlink layer: a datapath, the two devices as its ports 1 and 2, and one
// flow for 0x88b5 frames arriving on port 1 whose actions are
//   sample(probability=PROBABILITY, actions=psample(group=GROUP, cookie=COOKIE)), output(2)
// The psample action is new in 6.11; bookworm's Open vSwitch userspace is too
// old to emit it, so the test VM's OVS checks use this. Facts from the
// kernel's include/uapi/linux/openvswitch.h. Prints the datapath's ifindex.
#include <linux/netlink.h>
#include <net/if.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "psample/psample.hpp"

using namespace psample;
using namespace psample::netlink;

namespace {

// include/uapi/linux/openvswitch.h
constexpr uint8_t ovs_cmd_new = 1;  // OVS_DP_CMD_NEW, OVS_VPORT_CMD_NEW, OVS_FLOW_CMD_NEW
constexpr uint8_t datapath_version = 2, vport_version = 1, flow_version = 1;
constexpr uint16_t dp_attr_name = 1, dp_attr_upcall_pid = 2;
constexpr uint16_t vport_attr_type = 2, vport_attr_name = 3, vport_attr_upcall_pid = 5;
constexpr uint32_t vport_type_netdev = 1;
constexpr uint16_t flow_attr_key = 1, flow_attr_actions = 2, flow_attr_mask = 7;
constexpr uint16_t key_attr_in_port = 3, key_attr_ethernet = 4, key_attr_ethertype = 6;
constexpr uint16_t action_attr_output = 1, action_attr_sample = 6, action_attr_psample = 25;
constexpr uint16_t sample_attr_probability = 1, sample_attr_actions = 2;
constexpr uint16_t psample_attr_group = 1, psample_attr_cookie = 2;
constexpr uint16_t frame_ethertype = 0x88b5;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "ovs-flow: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T check(Result<T> result, const std::string& what) {
  if (!result) die(what + ": " + result.error().message());
  return std::move(*result);
}
void check(Result<void> result, const std::string& what) {
  if (!result) die(what + ": " + result.error().message());
}

struct Family {
  uint16_t id;
  uint8_t version;
};

// Sends one OVS request (ovs_header {dp_ifindex}, then `attributes`) and waits for its ACK.
template <typename Fill>
void request(Socket& socket, Family family, uint8_t command, int dp_ifindex, const char* what, Fill fill) {
  uint8_t buffer[1024];
  RequestBuilder b(MutableByteView(buffer, sizeof buffer));
  b.begin(family.id, flag_request | flag_ack, socket.next_sequence());
  b.put_genl_header(command, family.version);
  b.put_family_header(ByteView(reinterpret_cast<const uint8_t*>(&dp_ifindex), sizeof dp_ifindex));
  fill(b);
  const ByteView message = check(b.finish(), what);
  std::vector<uint8_t> scratch(65536);
  check(exchange(socket, message, MutableByteView(scratch.data(), scratch.size()), what,
                 [](const Message&) -> Result<void> { return {}; }),
        what);
}

Family resolve(Socket& socket, const char* name, uint8_t version) {
  std::vector<uint8_t> scratch(65536);
  const FamilyInfo info = check(
      resolve_family(socket, name, MutableByteView(scratch.data(), scratch.size()), "load the openvswitch module"),
      std::string("resolve ") + name);
  return Family{info.id, version};
}

std::vector<uint8_t> unhex(const char* text) {
  std::vector<uint8_t> out;
  for (size_t i = 0; text[i] != '\0' && text[i + 1] != '\0'; i += 2) {
    const char pair[3] = {text[i], text[i + 1], '\0'};
    out.push_back(uint8_t(std::strtoul(pair, nullptr, 16)));
  }
  return out;
}

void put_key(RequestBuilder& b, uint16_t type, uint32_t in_port, uint16_t ethertype) {
  const size_t key = b.begin_nested(type);
  b.put_u32(key_attr_in_port, in_port);
  const uint8_t addresses[12] = {};  // source and destination: wildcarded by the mask
  b.put_bytes(key_attr_ethernet, ByteView(addresses, sizeof addresses));
  const uint8_t type_be[2] = {uint8_t(ethertype >> 8), uint8_t(ethertype)};
  b.put_bytes(key_attr_ethertype, ByteView(type_be, 2));
  b.end_nested(key);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: ovs-flow DATAPATH IN_PORT_DEV OUT_PORT_DEV GROUP PROBABILITY COOKIE_HEX\n");
    return 2;
  }
  const char* datapath = argv[1];
  const uint32_t group = uint32_t(std::strtoul(argv[4], nullptr, 0));
  const uint32_t probability = uint32_t(std::strtoul(argv[5], nullptr, 0));
  const std::vector<uint8_t> cookie = unhex(argv[6]);
  Socket socket = check(Socket::open(NETLINK_GENERIC), "socket");
  const Family dp_family = resolve(socket, "ovs_datapath", datapath_version);
  const Family vport_family = resolve(socket, "ovs_vport", vport_version);
  const Family flow_family = resolve(socket, "ovs_flow", flow_version);

  request(socket, dp_family, ovs_cmd_new, 0, "OVS_DP_CMD_NEW", [&](RequestBuilder& b) {
    b.put_string(dp_attr_name, datapath);
    b.put_u32(dp_attr_upcall_pid, 0);  // no upcalls: a flow miss is dropped
  });
  const int dp_ifindex = int(if_nametoindex(datapath));
  if (dp_ifindex == 0) die(std::string("no interface ") + datapath + " after OVS_DP_CMD_NEW");
  for (int port = 2; port <= 3; ++port) {  // ports 1 and 2, numbered in order
    request(socket, vport_family, ovs_cmd_new, dp_ifindex, "OVS_VPORT_CMD_NEW", [&](RequestBuilder& b) {
      b.put_u32(vport_attr_type, vport_type_netdev);
      b.put_string(vport_attr_name, argv[port]);
      b.put_u32(vport_attr_upcall_pid, 0);
    });
  }
  request(socket, flow_family, ovs_cmd_new, dp_ifindex, "OVS_FLOW_CMD_NEW", [&](RequestBuilder& b) {
    put_key(b, flow_attr_key, 1, frame_ethertype);
    put_key(b, flow_attr_mask, 0xffffffffu, 0xffff);  // in_port exact, addresses wildcarded
    const size_t actions = b.begin_nested(flow_attr_actions);
    const size_t sample = b.begin_nested(action_attr_sample);
    b.put_u32(sample_attr_probability, probability);
    const size_t inner = b.begin_nested(sample_attr_actions);
    const size_t psample_action = b.begin_nested(action_attr_psample);
    b.put_u32(psample_attr_group, group);
    b.put_bytes(psample_attr_cookie, ByteView(cookie.data(), cookie.size()));
    b.end_nested(psample_action);
    b.end_nested(inner);
    b.end_nested(sample);
    b.put_u32(action_attr_output, 2);
    b.end_nested(actions);
  });
  std::printf("%d\n", dp_ifindex);
  return 0;
}
