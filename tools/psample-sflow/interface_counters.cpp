#include "interface_counters.hpp"

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace sflow_agent {

psample::Result<void> InterfaceCounterReader::open() noexcept {
  auto socket = psample::netlink::Socket::open(NETLINK_ROUTE);
  if (!socket) return socket.error();
  socket_ = std::move(*socket);
  return {};
}

psample::Result<void> InterfaceCounterReader::read(
    std::unordered_map<uint32_t, psample::sflow::InterfaceCounters>& out) {
  uint8_t request[64];
  psample::netlink::RequestBuilder b(psample::MutableByteView(request, sizeof request));
  b.begin(RTM_GETLINK, psample::netlink::flag_request | psample::netlink::flag_dump, socket_.next_sequence());
  const ifinfomsg family_header{};
  b.put_family_header(psample::ByteView(reinterpret_cast<const uint8_t*>(&family_header), sizeof family_header));
  auto message = b.finish();
  if (!message) return message.error();
  return psample::netlink::exchange(
      socket_, *message, psample::MutableByteView(scratch_.data(), scratch_.size()), "RTM_GETLINK",
      [&](const psample::netlink::Message& m) -> psample::Result<void> {
        if (m.type != RTM_NEWLINK || m.payload.size() < sizeof(ifinfomsg)) return {};
        ifinfomsg info;
        std::memcpy(&info, m.payload.data(), sizeof info);
        psample::sflow::InterfaceCounters c;
        c.ifindex = uint32_t(info.ifi_index);
        c.status = (info.ifi_flags & IFF_UP ? 1u : 0u) | (info.ifi_flags & IFF_RUNNING ? 2u : 0u);
        c.promiscuous = info.ifi_flags & IFF_PROMISC ? 1u : 0u;
        c.in_broadcast = c.out_broadcast = c.out_multicast = 0xffffffffu;
        psample::netlink::AttributeReader attributes(m.payload.subview(NLMSG_ALIGN(sizeof(ifinfomsg))));
        psample::netlink::Attribute a;
        bool have_stats = false;
        while (attributes.next(a)) {
          if (a.type() != IFLA_STATS64 || a.payload().size() < offsetof(rtnl_link_stats64, rx_nohandler) + 8) continue;
          rtnl_link_stats64 s{};
          std::memcpy(&s, a.payload().data(), std::min(a.payload().size(), sizeof s));
          c.in_octets = s.rx_bytes;
          c.in_unicast = uint32_t(s.rx_packets - s.multicast);
          c.in_multicast = uint32_t(s.multicast);
          c.in_discards = uint32_t(s.rx_dropped);
          c.in_errors = uint32_t(s.rx_errors);
          c.in_unknown_protos = uint32_t(s.rx_nohandler);
          c.out_octets = s.tx_bytes;
          c.out_unicast = uint32_t(s.tx_packets);
          c.out_discards = uint32_t(s.tx_dropped);
          c.out_errors = uint32_t(s.tx_errors);
          have_stats = true;
        }
        if (have_stats) out[c.ifindex] = c;
        return {};
      });
}

}  // namespace sflow_agent
