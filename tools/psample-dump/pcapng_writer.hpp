// psample-dump: writes samples as pcapng (hand-written; no libpcap).
//
// One interface description block per (ifindex, link type) seen, named after
// the interface, with if_tsresol 9 (nanoseconds). One enhanced packet block
// per sample: timestamp = TIMESTAMP (or the receive time), captured length =
// DATA length, original length = ORIGSIZE, and a comment with group, seq and
// rate. Link type: Ethernet, or raw IPv4/IPv6 when the data starts at L3.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "interface_names.hpp"
#include "psample/psample.hpp"

namespace dump {

constexpr uint16_t linktype_ethernet = 1;
constexpr uint16_t linktype_ipv4 = 228;
constexpr uint16_t linktype_ipv6 = 229;

// The link type of a sample's data: Ethernet unless the data is a bare IPv4
// or IPv6 packet (tunnel devices hand act_sample the packet without L2).
uint16_t sample_link_type(const psample::PacketView& p);

class PcapngWriter {
 public:
  // Writes the section header block. `out` stays owned by the caller.
  PcapngWriter(FILE* out, InterfaceNames& names);
  void write(const psample::PacketView& p, uint64_t fallback_time_ns);
  bool failed() const { return std::ferror(out_) != 0; }

 private:
  uint32_t interface_id(uint32_t ifindex, uint16_t link_type);
  void block(uint32_t type, const std::string& body);

  FILE* out_;
  InterfaceNames& names_;
  // (ifindex, link type) -> interface id. At most max_interfaces entries:
  // the file's interface blocks must stay valid, so samples of further
  // interfaces share one "other" interface per link type (ifindex 0 is not one).
  std::map<std::pair<uint32_t, uint16_t>, uint32_t> interfaces_;
  std::string packet_body_;
};

constexpr size_t max_interfaces = 1024;

}  // namespace dump
