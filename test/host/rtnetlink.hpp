// Host-test support: veth pairs created with the library's own RequestBuilder
// and Socket over NETLINK_ROUTE (no iproute2 needed).
#pragma once

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <cstring>
#include <string>

#include "psample/netlink/exchange.hpp"
#include "psample/netlink/genl_controller.hpp"
#include "psample/netlink/request_builder.hpp"
#include "psample/netlink/socket.hpp"

namespace host {

// Sends RTM_NEWLINK creating a link of `kind` named `name` (a veth pair when
// kind is "veth" and peer is set). Returns the kernel's answer.
inline psample::Result<void> create_link(const std::string& kind, const std::string& name, const std::string& peer) {
  using namespace psample;
  using namespace psample::netlink;
  auto socket = Socket::open(NETLINK_ROUTE);
  if (!socket) return socket.error();
  (void)socket->set_extended_ack(true);
  uint8_t buffer[512];
  RequestBuilder b(MutableByteView(buffer, sizeof buffer));
  b.begin(RTM_NEWLINK, flag_request | flag_ack | NLM_F_CREATE | NLM_F_EXCL, socket->next_sequence());
  ifinfomsg header{};
  header.ifi_family = AF_UNSPEC;
  b.put_family_header(ByteView(&header, sizeof header));
  b.put_string(IFLA_IFNAME, name);
  const size_t linkinfo = b.begin_nested(IFLA_LINKINFO);
  b.put_string(IFLA_INFO_KIND, kind);
  if (!peer.empty()) {
    const size_t data = b.begin_nested(IFLA_INFO_DATA);
    const size_t peer_info = b.begin_nested(VETH_INFO_PEER);
    b.put_family_header(ByteView(&header, sizeof header));
    b.put_string(IFLA_IFNAME, peer);
    b.end_nested(peer_info);
    b.end_nested(data);
  }
  b.end_nested(linkinfo);
  auto request = b.finish();
  if (!request) return request.error();
  uint8_t scratch[8192];
  return exchange(*socket, *request, MutableByteView(scratch, sizeof scratch), "RTM_NEWLINK",
                  [](const Message&) -> Result<void> { return {}; });
}

}  // namespace host
