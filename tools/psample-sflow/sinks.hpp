// psample-sflow: where datagrams go: UDP to collectors, and a pcap file.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "psample/bytes.hpp"
#include "psample/sflow/datagram.hpp"

namespace sflow_agent {

struct Endpoint {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string text;  // as given
};

// "HOST[:PORT]", "[V6]:PORT" or a bare IPv6 address; numeric hosts only.
bool parse_endpoint(const std::string& text, uint16_t default_port, Endpoint& out, std::string& error);
bool parse_agent_address(const std::string& text, psample::sflow::AgentAddress& out);
// The default agent address: the first IPv4 address of an up, non-loopback
// interface, else the first non-link-local IPv6 one, else 127.0.0.1. (Our
// rule; set --agent-address to the address your collector knows the box by.)
psample::sflow::AgentAddress default_agent_address(std::string& chosen);

// What went to one collector.
struct CollectorCounters {
  std::string name;  // HOST:PORT as given
  uint64_t datagrams = 0, bytes = 0, send_errors = 0;
};

class Collectors {
 public:
  Collectors() = default;
  Collectors(const Collectors&) = delete;
  Collectors& operator=(const Collectors&) = delete;
  ~Collectors();
  bool open(const std::vector<Endpoint>& endpoints, std::string& error);
  // A reload: these endpoints from now on (the sockets of the others
  // closed), a collector kept keeping its counters. False with `error` set
  // and the running ones unchanged when a socket cannot be opened.
  bool reopen(const std::vector<Endpoint>& endpoints, std::string& error);
  void send(psample::ByteView datagram);
  uint64_t send_errors() const { return send_errors_; }
  const std::vector<CollectorCounters>& counters() const { return counters_; }

 private:
  std::vector<int> sockets_;
  std::vector<CollectorCounters> counters_;  // one per socket
  uint64_t send_errors_ = 0;
};

// Classic pcap (microsecond timestamps), LINKTYPE_ETHERNET: each datagram as
// an Ethernet frame of the IPv4 or IPv6 UDP packet from the agent address
// (port 6343) to the first collector (or the agent itself), so every pcap
// reader takes it and decodes it as sFlow (sflowtool, tcpdump, tshark,
// sfacctd -I).
class PcapWriter {
 public:
  bool open(const std::string& path, const psample::sflow::AgentAddress& from, const Endpoint* to);
  void write(psample::ByteView datagram, uint64_t time_ns);
  bool close();

 private:
  FILE* file_ = nullptr;
  bool ipv6_ = false;
  uint8_t source_[16] = {}, destination_[16] = {};
  uint16_t destination_port_ = psample::sflow::default_port;
  bool failed_ = false;
};

}  // namespace sflow_agent
