// The load benchmark's library contestant: a Receiver opened with default
// options, doing the same work per sample as the reference receiver (read
// group and seq). Arguments set datagrams_per_syscall and receive_buffer_bytes
// (for comparing settings). On SIGTERM it prints its counters:
//   received=N overruns=N truncated=N lost=N kernel_drops=N duplicates=N resyncs=N reordered=N
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "psample/psample.hpp"

namespace {
volatile sig_atomic_t stop = 0;
void on_term(int) { stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  psample::ReceiverOptions options;
  if (argc > 1) options.datagrams_per_syscall = std::strtoul(argv[1], nullptr, 10);
  if (argc > 2) options.receive_buffer_bytes = std::atoi(argv[2]);
  auto receiver = psample::Receiver::open(options);
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
