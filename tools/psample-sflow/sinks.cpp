#include "sinks.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sflow_agent {

bool parse_endpoint(const std::string& text, uint16_t default_port, Endpoint& out, std::string& error) {
  std::string host = text;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos) return error = "unclosed '[' in " + text, false;
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return error = "want [IPV6]:PORT, got " + text, false;
      port = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  unsigned long number = default_port;
  if (!port.empty()) {
    char* end = nullptr;
    number = std::strtoul(port.c_str(), &end, 10);
    if (*end != '\0' || number == 0 || number > 65535) return error = "bad port in " + text, false;
  }
  out = Endpoint();
  out.text = text;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.address);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(uint16_t(number));
    out.length = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(uint16_t(number));
    out.length = sizeof *v6;
  } else {
    return error = "not a numeric IPv4 or IPv6 address: " + host, false;
  }
  return true;
}

bool parse_agent_address(const std::string& text, psample::sflow::AgentAddress& out) {
  out = psample::sflow::AgentAddress();
  if (inet_pton(AF_INET, text.c_str(), out.bytes) == 1) return true;
  out.ipv6 = true;
  return inet_pton(AF_INET6, text.c_str(), out.bytes) == 1;
}

psample::sflow::AgentAddress default_agent_address(std::string& chosen) {
  psample::sflow::AgentAddress v4, v6;
  bool have_v4 = false, have_v6 = false;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
      if (a->ifa_addr == nullptr || !(a->ifa_flags & IFF_UP) || (a->ifa_flags & IFF_LOOPBACK)) continue;
      if (a->ifa_addr->sa_family == AF_INET && !have_v4) {
        std::memcpy(v4.bytes, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, 4);
        have_v4 = true;
      } else if (a->ifa_addr->sa_family == AF_INET6 && !have_v6) {
        const in6_addr& address = reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr;
        if (IN6_IS_ADDR_LINKLOCAL(&address)) continue;
        v6.ipv6 = true;
        std::memcpy(v6.bytes, &address, 16);
        have_v6 = true;
      }
    }
    freeifaddrs(list);
  }
  psample::sflow::AgentAddress pick = have_v4 ? v4 : have_v6 ? v6 : psample::sflow::AgentAddress();
  if (!have_v4 && !have_v6) {
    const uint8_t loopback[4] = {127, 0, 0, 1};
    std::memcpy(pick.bytes, loopback, 4);
  }
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(pick.ipv6 ? AF_INET6 : AF_INET, pick.bytes, text, sizeof text);
  chosen = text;
  return pick;
}

bool Collectors::open(const std::vector<Endpoint>& endpoints, std::string& error) {
  for (const Endpoint& e : endpoints) {
    const int fd = socket(e.address.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<const sockaddr*>(&e.address), e.length) != 0) {
      error = "cannot open a UDP socket to " + e.text + ": " + std::strerror(errno);
      if (fd >= 0) ::close(fd);
      return false;
    }
    sockets_.push_back(fd);
    counters_.push_back(CollectorCounters{e.text, 0, 0, 0});
  }
  return true;
}

Collectors::~Collectors() {
  for (int fd : sockets_) ::close(fd);
}

bool Collectors::reopen(const std::vector<Endpoint>& endpoints, std::string& error) {
  Collectors next;
  if (!next.open(endpoints, error)) return false;
  for (CollectorCounters& c : next.counters_)
    for (const CollectorCounters& old : counters_)
      if (old.name == c.name) c = old;
  std::swap(sockets_, next.sockets_);  // `next` closes the old sockets
  std::swap(counters_, next.counters_);
  return true;
}

void Collectors::send(psample::ByteView datagram) {
  for (size_t i = 0; i < sockets_.size(); ++i) {
    // A collector that is down (ICMP port unreachable) or a full queue is
    // counted; the agent goes on.
    CollectorCounters& c = counters_[i];
    if (::send(sockets_[i], datagram.data(), datagram.size(), MSG_DONTWAIT) == ssize_t(datagram.size())) {
      ++c.datagrams;
      c.bytes += datagram.size();
    } else {
      ++c.send_errors;
      ++send_errors_;
    }
  }
}

namespace {
void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
uint16_t checksum(const uint8_t* data, size_t length) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < length; i += 2) sum += uint32_t(data[i] << 8 | data[i + 1]);
  if (length & 1) sum += uint32_t(data[length - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}
}  // namespace

bool PcapWriter::open(const std::string& path, const psample::sflow::AgentAddress& from, const Endpoint* to) {
  file_ = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) return false;
  ipv6_ = from.ipv6;
  std::memcpy(source_, from.bytes, 16);
  std::memcpy(destination_, from.bytes, 16);
  if (to != nullptr && (to->address.ss_family == AF_INET6) == ipv6_) {
    if (ipv6_) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&to->address);
      std::memcpy(destination_, &a->sin6_addr, 16);
      destination_port_ = ntohs(a->sin6_port);
    } else {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&to->address);
      std::memcpy(destination_, &a->sin_addr, 4);
      destination_port_ = ntohs(a->sin_port);
    }
  }
  // The classic pcap format every reader takes (sflowtool, tcpdump, tshark,
  // sfacctd -I): microsecond timestamps, Ethernet frames.
  struct {
    uint32_t magic = 0xa1b2c3d4;  // microsecond timestamps
    uint16_t major = 2, minor = 4;
    int32_t zone = 0;
    uint32_t sigfigs = 0, snaplen = 262144, link_type = 1;  // LINKTYPE_ETHERNET
  } h;
  failed_ = std::fwrite(&h, sizeof h, 1, file_) != 1;
  return !failed_;
}

void PcapWriter::write(psample::ByteView datagram, uint64_t time_ns) {
  if (file_ == nullptr) return;
  // Ethernet (locally administered addresses), IP, UDP, then the datagram.
  uint8_t frame[14 + 40 + 8];
  std::memset(frame, 0, sizeof frame);
  const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};  // to the collector, from the agent
  std::memcpy(frame, macs, sizeof macs);
  put16(frame + 12, ipv6_ ? 0x86dd : 0x0800);
  uint8_t* const packet = frame + 14;
  const size_t ip = ipv6_ ? 40 : 20;
  const size_t udp_length = 8 + datagram.size();
  if (ipv6_) {
    packet[0] = 0x60;
    put16(packet + 4, uint16_t(udp_length));
    packet[6] = 17;
    packet[7] = 64;
    std::memcpy(packet + 8, source_, 16);
    std::memcpy(packet + 24, destination_, 16);
  } else {
    packet[0] = 0x45;
    put16(packet + 2, uint16_t(20 + udp_length));
    packet[8] = 64;
    packet[9] = 17;
    std::memcpy(packet + 12, source_, 4);
    std::memcpy(packet + 16, destination_, 4);
    put16(packet + 10, checksum(packet, 20));
  }
  put16(packet + ip, psample::sflow::default_port);
  put16(packet + ip + 2, destination_port_);
  put16(packet + ip + 4, uint16_t(udp_length));
  // The UDP checksum over the pseudo-header, the UDP header and the datagram.
  std::vector<uint8_t> sum;
  const size_t address = ipv6_ ? 16 : 4;
  sum.insert(sum.end(), source_, source_ + address);
  sum.insert(sum.end(), destination_, destination_ + address);
  const uint8_t tail[4] = {0, 17, uint8_t(udp_length >> 8), uint8_t(udp_length)};
  sum.insert(sum.end(), tail, tail + 4);
  sum.insert(sum.end(), packet + ip, packet + ip + 8);
  sum.insert(sum.end(), datagram.begin(), datagram.end());
  uint16_t udp_sum = checksum(sum.data(), sum.size());
  put16(packet + ip + 6, udp_sum == 0 ? 0xffff : udp_sum);
  const uint32_t length = uint32_t(14 + ip + udp_length);
  const uint32_t record[4] = {uint32_t(time_ns / 1000000000u), uint32_t(time_ns % 1000000000u / 1000u), length, length};
  failed_ |= std::fwrite(record, sizeof record, 1, file_) != 1;
  failed_ |= std::fwrite(frame, 14 + ip + 8, 1, file_) != 1;
  failed_ |= std::fwrite(datagram.data(), datagram.size(), 1, file_) != 1;
}

bool PcapWriter::close() {
  if (file_ == nullptr) return true;
  failed_ |= std::fflush(file_) != 0;
  if (file_ != stdout) failed_ |= std::fclose(file_) != 0;
  file_ = nullptr;
  return !failed_;
}

}  // namespace sflow_agent
