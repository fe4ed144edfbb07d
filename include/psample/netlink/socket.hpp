// psample-cpp layer 1: an AF_NETLINK socket with RAII ownership of its fd.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "psample/bytes.hpp"
#include "psample/export.hpp"
#include "psample/result.hpp"

namespace psample::netlink {

// One classic-BPF instruction, laid out like the kernel's struct sock_filter.
struct FilterInstruction {
  uint16_t code;
  uint8_t jt;
  uint8_t jf;
  uint32_t k;
};

// What receive() got: the datagram's length and who sent it.
struct Datagram {
  size_t size = 0;           // bytes written to the buffer (the whole datagram)
  uint32_t sender_port = 0;  // sender's nl_pid: 0 is the kernel
};

// A bound netlink socket (SOCK_RAW | SOCK_CLOEXEC). Move-only; closes its fd.
class PSAMPLE_API Socket {
 public:
  // Opens and binds a socket of `protocol` (e.g. NETLINK_GENERIC); the kernel
  // picks the port id.
  static Result<Socket> open(int protocol) noexcept;

  Socket() noexcept = default;
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  int fd() const noexcept { return fd_; }
  bool is_open() const noexcept { return fd_ >= 0; }
  // The port id (nl_pid) the kernel bound this socket to.
  uint32_t port_id() const noexcept { return port_id_; }

  // Joins a multicast group by id (ids above 31 work too).
  Result<void> join_group(uint32_t group_id) noexcept;

  // Asks for a receive buffer of `bytes`: SO_RCVBUFFORCE first (needs
  // CAP_NET_ADMIN), else SO_RCVBUF (capped by net.core.rmem_max). Returns the
  // size in effect as the kernel reports it (it doubles the request).
  Result<int> set_receive_buffer(int bytes) noexcept;
  Result<int> receive_buffer() const noexcept;
  // NETLINK_NO_ENOBUFS: do not report overruns with ENOBUFS.
  Result<void> set_no_enobufs(bool enabled) noexcept;
  // NETLINK_EXT_ACK: the kernel adds its error text to NLMSG_ERROR.
  Result<void> set_extended_ack(bool enabled) noexcept;
  // SO_RCVTIMEO: how long a waiting receive blocks before would_block
  // (negative or zero: forever).
  Result<void> set_receive_timeout(std::chrono::milliseconds timeout) noexcept;
  // O_NONBLOCK on the fd: receive() then returns would_block instead of waiting.
  Result<void> set_nonblocking(bool enabled) noexcept;

  // Attaches (or replaces) a classic-BPF socket filter (SO_ATTACH_FILTER).
  // Messages the filter rejects never reach the receive buffer.
  Result<void> attach_filter(const FilterInstruction* program, size_t count) noexcept;

  // A new sequence number for a request on this socket (1, 2, ...), so that
  // replies to an earlier request are never taken for this one's.
  uint32_t next_sequence() noexcept { return ++sequence_; }

  // Sends one request to the kernel.
  Result<void> send(ByteView message) noexcept;

  // Receives one datagram into `buffer`. A datagram longer than the buffer is
  // consumed and reported as a `truncated` error, never returned. ENOBUFS is an
  // `overrun` error, EAGAIN `would_block`, EINTR `interrupted`.
  Result<Datagram> receive(MutableByteView buffer, bool dont_wait = false) noexcept;

  // The kernel's count of messages it dropped for this socket (sk_drops,
  // read with SO_MEMINFO: the Drops column of /proc/net/netlink, from any
  // network namespace). A 32-bit counter in the kernel.
  Result<uint64_t> kernel_drops() const noexcept;

 private:
  Socket(int fd, uint32_t port_id) noexcept : fd_(fd), port_id_(port_id) {}

  int fd_ = -1;
  uint32_t port_id_ = 0;
  uint32_t sequence_ = 0;
};

}  // namespace psample::netlink
