// psample-sflow: interface counters over rtnetlink (RTM_GETLINK dump,
// IFLA_STATS64), mapped to sFlow's generic interface counters.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "psample/psample.hpp"
#include "psample/sflow/datagram.hpp"

namespace sflow_agent {

// Every interface's counters, by ifindex, read with one RTM_GETLINK dump
// through psample-cpp's netlink layer. The mapping from rtnl_link_stats64:
// in/out octets = rx/tx_bytes; in unicast = rx_packets - multicast, in
// multicast = multicast; out unicast = tx_packets; discards = rx/tx_dropped;
// errors = rx/tx_errors; in unknown protos = rx_nohandler. Broadcast counts
// and out multicast are not kept by Linux: sent as 2^32-1 ("unknown", as the
// sFlow spec says). Status: bit 0 admin up (IFF_UP), bit 1 oper up
// (IFF_RUNNING); promiscuous from IFF_PROMISC; speed 0 (unknown: rtnetlink
// does not carry it); the 32-bit counters are their low 32 bits.
class InterfaceCounterReader {
 public:
  psample::Result<void> open() noexcept;
  psample::Result<void> read(std::unordered_map<uint32_t, psample::sflow::InterfaceCounters>& out);

 private:
  psample::netlink::Socket socket_;
  std::vector<uint8_t> scratch_ = std::vector<uint8_t>(65536);
};

}  // namespace sflow_agent
