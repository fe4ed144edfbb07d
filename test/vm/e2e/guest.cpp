#include "guest.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>

namespace guest {

bool inside_test_vm() { return std::getenv("PSAMPLE_VM_MODULES") != nullptr; }

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

void sh(const std::string& command) {
  INFO("command: " << command);
  REQUIRE(std::system(command.c_str()) == 0);
}

uint32_t ifindex(const std::string& name) {
  const uint32_t index = if_nametoindex(name.c_str());
  REQUIRE(index != 0);
  return index;
}

uint64_t realtime_ns() {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return uint64_t(now.tv_sec) * 1000000000ull + uint64_t(now.tv_nsec);
}

int kernel_version() {
  utsname name;
  uname(&name);
  int major = 0, minor = 0;
  std::sscanf(name.release, "%d.%d", &major, &minor);
  return major * 100 + minor;
}

std::vector<uint8_t> frame(size_t length, uint16_t ethertype, uint8_t seed) {
  std::vector<uint8_t> f(length);
  for (size_t i = 0; i < 6; ++i) f[i] = 0xff;                      // broadcast
  const uint8_t source[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};  // locally administered
  for (size_t i = 0; i < 6; ++i) f[6 + i] = source[i];
  f[12] = uint8_t(ethertype >> 8);
  f[13] = uint8_t(ethertype);
  for (size_t i = 14; i < length; ++i) f[i] = uint8_t(seed + i);
  return f;
}

void send_frames(const std::string& interface, const std::vector<std::vector<uint8_t>>& frames) {
  const int fd = socket(AF_PACKET, SOCK_RAW, 0);
  REQUIRE(fd >= 0);
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = int(ifindex(interface));
  address.sll_halen = 6;
  for (const auto& f : frames) {
    const ssize_t sent = sendto(fd, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof address);
    INFO("sendto on " << interface << " failed: " << std::strerror(errno));
    REQUIRE(sent == ssize_t(f.size()));
  }
  close(fd);
}

std::vector<psample::Packet> collect(psample::Receiver& receiver, size_t count, std::chrono::milliseconds timeout) {
  std::vector<psample::Packet> got;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto r = receiver.receive([&](const psample::PacketView& p) { got.emplace_back(p); },
                              std::max(left, std::chrono::milliseconds(1)));
    INFO("receive: " << (r ? "" : r.error().message()));
    REQUIRE(r);
  }
  return got;
}

std::vector<psample::Packet> collect_until_quiet(psample::Receiver& receiver, std::chrono::milliseconds quiet) {
  std::vector<psample::Packet> got;
  for (;;) {
    auto r = receiver.receive([&](const psample::PacketView& p) { got.emplace_back(p); }, quiet);
    INFO("receive: " << (r ? "" : r.error().message()));
    REQUIRE(r);
    if (*r == 0) return got;
  }
}

VethPair::VethPair(const std::string& a_name, const std::string& b_name, int mtu) : a(a_name), b(b_name) {
  sh("ip link add " + a + " mtu " + std::to_string(mtu) + " type veth peer name " + b + " mtu " + std::to_string(mtu));
  sh("ip link set " + a + " up && ip link set " + b + " up");
}

VethPair::~VethPair() { (void)std::system(("ip link del " + a + " 2>/dev/null").c_str()); }

}  // namespace guest
