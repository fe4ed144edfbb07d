// Helpers for the in-VM end-to-end tests: run ip/tc, build and send frames
// with AF_PACKET, and collect samples from a Receiver.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "psample/psample.hpp"

namespace guest {

bool inside_test_vm();
void write_file(const std::string& path, const std::string& text);
// Runs a shell command; fails the test (with the command) if it fails.
void sh(const std::string& command);
uint32_t ifindex(const std::string& name);
uint64_t realtime_ns();
// Kernel version as major * 100 + minor (6.12 -> 612).
int kernel_version();

// An Ethernet frame of exactly `length` bytes (>= 14): broadcast destination,
// the given ethertype, then a payload pattern that starts at `seed`.
std::vector<uint8_t> frame(size_t length, uint16_t ethertype, uint8_t seed);
// Sends each frame on `interface` through an AF_PACKET socket.
void send_frames(const std::string& interface, const std::vector<std::vector<uint8_t>>& frames);

// Calls receive() until `count` samples arrived or `timeout` passed.
std::vector<psample::Packet> collect(psample::Receiver& receiver, size_t count,
                                     std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

// Calls receive() until `quiet` passes without a sample; returns them all.
std::vector<psample::Packet> collect_until_quiet(psample::Receiver& receiver,
                                                 std::chrono::milliseconds quiet = std::chrono::milliseconds(700));

// A veth pair (a <-> b) that is deleted again when the object goes away.
struct VethPair {
  VethPair(const std::string& a, const std::string& b, int mtu = 1500);
  ~VethPair();
  std::string a, b;
};

}  // namespace guest

namespace guest {

// Well-formed frames (valid checksums) that tshark and tcpdump decode.
std::vector<uint8_t> ipv4_icmp_echo(uint16_t id, uint16_t seq, size_t payload);
std::vector<uint8_t> ipv6_icmp_echo(uint16_t id, uint16_t seq, size_t payload);
std::vector<uint8_t> arp_request();
std::vector<uint8_t> ipv4_udp(uint16_t port, size_t payload);

}  // namespace guest
