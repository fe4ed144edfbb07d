// Well-formed test frames: Ethernet + IPv4/IPv6/ARP with valid checksums.
// Addresses are from the documentation ranges (192.0.2.0/24, 2001:db8::/32).
#include <cstdint>
#include <vector>

#include "guest.hpp"

namespace guest {

namespace {
using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}

uint32_t sum16(const uint8_t* p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += uint32_t(p[i] << 8 | p[i + 1]);
  if (n % 2) sum += uint32_t(p[n - 1] << 8);
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

Bytes ethernet(uint16_t ethertype) {
  Bytes b = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};  // dst, src: locally administered
  put16(b, ethertype);
  return b;
}

Bytes ipv4(uint8_t protocol, const Bytes& l4) {
  Bytes h = {0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, protocol, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2};
  const uint16_t total = uint16_t(20 + l4.size());
  h[2] = uint8_t(total >> 8);
  h[3] = uint8_t(total);
  const uint16_t checksum = fold(sum16(h.data(), h.size()));
  h[10] = uint8_t(checksum >> 8);
  h[11] = uint8_t(checksum);
  h.insert(h.end(), l4.begin(), l4.end());
  return h;
}

Bytes echo(uint8_t type, uint16_t id, uint16_t seq, size_t payload) {
  Bytes m = {type, 0, 0, 0};
  put16(m, id);
  put16(m, seq);
  for (size_t i = 0; i < payload; ++i) m.push_back(uint8_t(0x20 + i % 64));
  return m;
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace

std::vector<uint8_t> ipv4_icmp_echo(uint16_t id, uint16_t seq, size_t payload) {
  Bytes icmp = echo(8, id, seq, payload);
  const uint16_t checksum = fold(sum16(icmp.data(), icmp.size()));
  icmp[2] = uint8_t(checksum >> 8);
  icmp[3] = uint8_t(checksum);
  return concat(ethernet(0x0800), ipv4(1, icmp));
}

std::vector<uint8_t> ipv6_icmp_echo(uint16_t id, uint16_t seq, size_t payload) {
  Bytes icmp = echo(128, id, seq, payload);
  const Bytes source = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const Bytes destination = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  // Pseudo-header: addresses, upper-layer length, next header 58.
  uint32_t sum = sum16(source.data(), 16, sum16(destination.data(), 16));
  sum += uint32_t(icmp.size()) + 58;
  sum = sum16(icmp.data(), icmp.size(), sum);
  const uint16_t checksum = fold(sum);
  icmp[2] = uint8_t(checksum >> 8);
  icmp[3] = uint8_t(checksum);
  Bytes h = {0x60, 0, 0, 0};
  put16(h, uint16_t(icmp.size()));
  h.push_back(58);  // ICMPv6
  h.push_back(64);  // hop limit
  h.insert(h.end(), source.begin(), source.end());
  h.insert(h.end(), destination.begin(), destination.end());
  return concat(ethernet(0x86dd), concat(h, icmp));
}

std::vector<uint8_t> arp_request() {
  const Bytes arp = {0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0x01, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 192, 0, 2, 2};
  Bytes f = ethernet(0x0806);
  for (int i = 0; i < 6; ++i) f[size_t(i)] = 0xff;  // broadcast
  return concat(f, arp);
}

std::vector<uint8_t> ipv4_udp(uint16_t port, size_t payload) {
  Bytes udp;
  put16(udp, 40000);
  put16(udp, port);
  put16(udp, uint16_t(8 + payload));
  put16(udp, 0);  // no checksum (allowed for IPv4)
  for (size_t i = 0; i < payload; ++i) udp.push_back(uint8_t(i));
  return concat(ethernet(0x0800), ipv4(17, udp));
}

}  // namespace guest
