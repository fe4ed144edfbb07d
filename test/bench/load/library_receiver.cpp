// The load benchmark's library contestant: a Receiver opened with default
// options, doing the same work per sample as the reference receiver (read
// group and seq). Arguments set datagrams_per_syscall and receive_buffer_bytes
// (for comparing settings). With "usersock GROUP FAMILY RCVBUF COALESCE_US"
// (the native-speed benchmark, native_bench.cpp) it is a Receiver adopted on
// a NETLINK_USERSOCK socket that joined GROUP, its family id FAMILY, the
// socket's SO_RCVBUF set to RCVBUF unless 0 (0: the kernel's default, as
// Receiver::adopt() leaves it) and coalesce COALESCE_US. On SIGTERM it prints
// its counters:
//   received=N overruns=N truncated=N lost=N kernel_drops=N duplicates=N resyncs=N reordered=N
#include <linux/netlink.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "psample/psample.hpp"

namespace {
volatile sig_atomic_t stop = 0;
void on_term(int) { stop = 1; }

// A Receiver on the native benchmark's NETLINK_USERSOCK stream.
psample::Result<psample::Receiver> open_usersock(char** argv) {
  auto socket = psample::netlink::Socket::open(NETLINK_USERSOCK);
  if (!socket) return socket.error();
  if (auto joined = socket->join_group(static_cast<uint32_t>(std::atoi(argv[0]))); !joined) return joined.error();
  const int buffer = std::atoi(argv[2]);
  if (buffer > 0) {
    if (auto set = socket->set_receive_buffer(buffer); !set) return set.error();
  }
  psample::ReceiverOptions options;
  options.accept_userspace = true;  // the producer is a user-space process
  options.coalesce = std::chrono::microseconds(std::atoi(argv[3]));
  return psample::Receiver::adopt(std::move(*socket), static_cast<uint16_t>(std::atoi(argv[1])), options);
}
}  // namespace

int main(int argc, char** argv) {
  const bool usersock = argc > 1 && std::strcmp(argv[1], "usersock") == 0;
  if (usersock && argc != 6) {
    std::fprintf(stderr, "usage: load-library-receiver usersock GROUP FAMILY RCVBUF COALESCE_US\n");
    return 2;
  }
  psample::ReceiverOptions options;
  if (!usersock && argc > 1) options.datagrams_per_syscall = std::strtoul(argv[1], nullptr, 10);
  if (!usersock && argc > 2) options.receive_buffer_bytes = std::atoi(argv[2]);
  auto receiver = usersock ? open_usersock(argv + 2) : psample::Receiver::open(options);
  if (!receiver) {
    std::fprintf(stderr, "library-receiver: %s\n", receiver.error().message());
    return 1;
  }
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_term;  // no SA_RESTART: SIGTERM ends the wait
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  unsigned long long checksum = 0;
  // Samples whose GROUP_SEQ is below the one before (the benchmark samples into one group).
  unsigned long long reordered = 0;
  uint32_t previous = 0;
  auto count = [&](const psample::PacketView& p) {
    checksum += p.group() ^ p.group_seq();
    reordered += static_cast<int32_t>(p.group_seq() - previous) < 0;
    previous = p.group_seq();
  };
  while (!stop) {
    auto received = receiver->receive(count, std::chrono::milliseconds(500));
    if (!received && received.error().code() != psample::ErrorCode::interrupted) {
      std::fprintf(stderr, "library-receiver: %s\n", received.error().message());
      return 1;
    }
  }
  const psample::ReceiverStats s = receiver->stats();
  std::printf(
      "received=%llu overruns=%llu truncated=%llu lost=%llu kernel_drops=%llu duplicates=%llu resyncs=%llu "
      "reordered=%llu checksum=%llu\n",
      (unsigned long long)s.samples, (unsigned long long)s.overruns, (unsigned long long)s.truncated,
      (unsigned long long)s.lost, (unsigned long long)(s.kernel_drops ? *s.kernel_drops : 0),
      (unsigned long long)s.duplicates, (unsigned long long)s.sequence_resyncs, reordered, checksum);
  return 0;
}
