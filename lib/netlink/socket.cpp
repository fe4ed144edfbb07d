// psample-cpp layer 1: the netlink socket.
#include "psample/netlink/socket.hpp"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "netlink/socket_errors.hpp"

namespace psample::netlink {

using detail::system_error;

namespace {

#ifndef SOL_NETLINK
constexpr int SOL_NETLINK = 270;
#endif

Result<void> set_int_option(int fd, int level, int name, int value, const char* what) noexcept {
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) return system_error(errno, what);
  return {};
}

}  // namespace

Result<Socket> Socket::open(int protocol) noexcept {
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) return system_error(errno, "socket(AF_NETLINK)");
  Socket socket(fd, 0);
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return system_error(errno, "bind(AF_NETLINK)");
  }
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return system_error(errno, "getsockname(AF_NETLINK)");
  }
  socket.port_id_ = address.nl_pid;
  return Result<Socket>(std::move(socket));
}

Socket::Socket(Socket&& other) noexcept : fd_(other.fd_), port_id_(other.port_id_), sequence_(other.sequence_) {
  other.fd_ = -1;
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    port_id_ = other.port_id_;
    sequence_ = other.sequence_;
    other.fd_ = -1;
  }
  return *this;
}

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> Socket::join_group(uint32_t group_id) noexcept {
  if (setsockopt(fd_, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group_id, sizeof group_id) != 0) {
    return system_error(errno, "NETLINK_ADD_MEMBERSHIP");
  }
  return {};
}

Result<int> Socket::set_receive_buffer(int bytes) noexcept {
  if (bytes <= 0) return Error(ErrorCode::invalid_argument, 0, "receive buffer size must be positive, got %d", bytes);
  // SO_RCVBUFFORCE ignores rmem_max but needs CAP_NET_ADMIN; SO_RCVBUF is capped.
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) != 0) {
      return system_error(errno, "SO_RCVBUF");
    }
  }
  return receive_buffer();
}

Result<int> Socket::receive_buffer() const noexcept {
  int value = 0;
  socklen_t length = sizeof value;
  if (getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &value, &length) != 0) return system_error(errno, "getsockopt(SO_RCVBUF)");
  return value;
}

Result<void> Socket::set_no_enobufs(bool enabled) noexcept {
  return set_int_option(fd_, SOL_NETLINK, NETLINK_NO_ENOBUFS, enabled, "NETLINK_NO_ENOBUFS");
}

Result<void> Socket::set_extended_ack(bool enabled) noexcept {
  return set_int_option(fd_, SOL_NETLINK, NETLINK_EXT_ACK, enabled, "NETLINK_EXT_ACK");
}

Result<void> Socket::set_nonblocking(bool enabled) noexcept {
  const int flags = fcntl(fd_, F_GETFL);
  if (flags < 0) return system_error(errno, "fcntl(F_GETFL)");
  const int wanted = enabled ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
  if (fcntl(fd_, F_SETFL, wanted) != 0) return system_error(errno, "fcntl(F_SETFL)");
  return {};
}

Result<void> Socket::attach_filter(const FilterInstruction* program, size_t count) noexcept {
  static_assert(sizeof(FilterInstruction) == sizeof(sock_filter), "FilterInstruction must match struct sock_filter");
  if (count == 0 || count > BPF_MAXINSNS) {
    return Error(ErrorCode::invalid_argument, 0, "a socket filter has 1 to %d instructions, got %zu", BPF_MAXINSNS,
                 count);
  }
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(count);
  fprog.filter = reinterpret_cast<sock_filter*>(const_cast<FilterInstruction*>(program));
  if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0) {
    return system_error(errno, "SO_ATTACH_FILTER");
  }
  return {};
}

Result<void> Socket::send(ByteView message) noexcept {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  for (;;) {
    const ssize_t sent =
        ::sendto(fd_, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
    if (sent >= 0) return {};
    if (errno != EINTR) return system_error(errno, "sendto(netlink)");
  }
}

Result<Datagram> Socket::receive(MutableByteView buffer, bool dont_wait) noexcept {
  sockaddr_nl sender{};
  iovec vector{buffer.data(), buffer.size()};
  msghdr header{};
  header.msg_name = &sender;
  header.msg_namelen = sizeof sender;
  header.msg_iov = &vector;
  header.msg_iovlen = 1;
  // MSG_TRUNC makes recvmsg return the datagram's real length.
  const ssize_t length = ::recvmsg(fd_, &header, MSG_TRUNC | (dont_wait ? MSG_DONTWAIT : 0));
  if (length < 0) return detail::receive_error(errno, "recvmsg(netlink)");
  if (static_cast<size_t>(length) > buffer.size() || (header.msg_flags & MSG_TRUNC)) {
    return Error(ErrorCode::truncated, 0,
                 "a %zd-byte datagram did not fit the %zu-byte receive buffer and was dropped unparsed; "
                 "use a buffer of at least 65556 bytes",
                 length, buffer.size());
  }
  Datagram datagram;
  datagram.size = static_cast<size_t>(length);
  datagram.sender_port = sender.nl_pid;
  return datagram;
}

Result<void> Socket::set_receive_timeout(std::chrono::milliseconds timeout) noexcept {
  timeval value{};  // zero: wait forever
  if (timeout.count() > 0) {
    value.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    value.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
  }
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &value, sizeof value) != 0) {
    return system_error(errno, "setsockopt(SO_RCVTIMEO)");
  }
  return {};
}

Result<uint64_t> Socket::kernel_drops() const noexcept {
  // SO_MEMINFO (Linux 4.12): the socket's memory figures, among them
  // sk_drops, which netlink counts up for every message it could not queue
  // (the same counter as /proc/net/netlink's Drops column, in any namespace).
  uint32_t meminfo[SK_MEMINFO_VARS] = {};
  socklen_t length = sizeof meminfo;
  if (getsockopt(fd_, SOL_SOCKET, SO_MEMINFO, meminfo, &length) != 0) {
    return system_error(errno, "getsockopt(SO_MEMINFO) for the drop count (Linux 4.12 and later)");
  }
  if (length <= SK_MEMINFO_DROPS * sizeof meminfo[0]) {
    return Error(ErrorCode::system, ENOPROTOOPT, "SO_MEMINFO without the drop count");
  }
  return static_cast<uint64_t>(meminfo[SK_MEMINFO_DROPS]);
}

}  // namespace psample::netlink
