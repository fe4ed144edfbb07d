// psample-cpp layer 3: the event core's receive loop, the syscalls that fetch
// datagrams for Receiver::receive() (and every other event source).
#include <fcntl.h>
#include <linux/sock_diag.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <cerrno>

#include <algorithm>

#include "events/event_core.hpp"

namespace psample::events {

// Each syscall takes what is queued, choosing between two ways:
// - batch: one recvmmsg waits for the first datagram (SO_RCVTIMEO is the
//   timeout) and takes every other queued one, up to datagrams_per_syscall.
//   A call that returns fewer than it asked for means the queue is empty.
// - single: one recvfrom per datagram, and receive() returns after one that
//   held a sample (others are read past without waiting). The
//   next call finds the next datagram at once if one is queued. recvfrom is
//   the cheaper syscall per datagram, so while datagrams come one at a time
//   this costs what the plainest blocking-recv loop costs, and no call ever
//   ends on EAGAIN while samples flow.
// Single mode probes with a recvmmsg every 16 datagrams; a probe that fills
// every slot (a backlog) switches to batch mode, and a batch that fills fewer
// switches back. Measured in the load benchmark (test/bench/load):
// per datagram, recvmmsg costs more than recvfrom unless it takes many at
// once, so it is kept for real backlogs.
//
// Coalescing (options.coalesce) makes "many at once" the common case: a call
// that delivered samples and left the queue empty has the next waiting call
// sleep first, then take what gathered with one batch recvmmsg. At 5,000
// samples/s and 1 ms that is one sleep and one recvmmsg per ~5 samples,
// instead of ~5 wakeups and recvfroms. A flood never sleeps: a call that
// ends on max_batch, or with every slot filled, leaves pause_next_ unset.
//
// The sleep never costs a sample (coalesce_sleep()): it is cut into steps,
// and after each one the socket's queue is read (SO_MEMINFO: bytes queued
// against the buffer's size). Once the queue holds an eighth of the buffer
// the sleep ends and the batch takes it. A step in which more than 1/8 of
// the buffer came halves the steps at once (down to 1/16 of coalesce); a
// sleep whose steps each brought less than 1/16 doubles them for the next
// one (up to all of coalesce); a new receiver starts with the shortest.
// After an overrun the next 64 calls do not
// sleep (a receiver short of CPU, sharing it with others, loses less when
// it does not give its turn away), then the steps start shortest. So at a
// steady rate a step brings 1/16 to 1/8 of the buffer and the sleep ends
// after one or two of them with seven eighths free: a sample is lost only
// if, within one step, seven times what the last steps brought comes at once, or the whole
// machine stalls for longer than seven eighths of the buffer last (where
// coalesce 0, with all of it free, could ride out an eighth longer). A
// bigger buffer, or a lower rate, means fewer and longer steps: with the
// Receiver's 4 MiB, one step of 1 ms below a few hundred thousand samples/s.
// Steps are not made shorter than that needs: each is a timer wakeup, and
// in some VMs one costs the thread 20-30 us of CPU (native-bench prints it;
// halving the steps' share, 1/32-1/16 before, took the Receiver at 20,000/s
// into the default buffer from 0.94-1.11x the reference to 0.59-0.64x).
Result<size_t> EventCore::receive(FunctionRef<size_t(ByteView, uint32_t)> on_datagram,
                                  std::chrono::milliseconds timeout) noexcept {
  if (!socket.is_open()) {
    return Error(ErrorCode::invalid_argument, 0, "this receiver is detached: feed it with process()");
  }
  bool wait = timeout.count() != 0;
  const std::chrono::milliseconds socket_wait = timeout.count() < 0 ? std::chrono::milliseconds(0) : timeout;
  if (wait && socket_wait != socket_timeout_) {
    if (auto r = socket.set_receive_timeout(socket_wait); !r) return r.error();
    socket_timeout_ = socket_wait;
  }
  bool gathered = false;  // slept first: several datagrams are likely queued
  if (pause_next_ && wait && batch.slots() > 1 && options.coalesce.count() > 0) {
    if (unpaused_calls_ > 0) {
      --unpaused_calls_;
    } else {
      const std::chrono::microseconds pause =
          timeout.count() > 0 ? std::min<std::chrono::microseconds>(options.coalesce, timeout) : options.coalesce;
      if (!coalesce_sleep(pause)) return Error(ErrorCode::interrupted, EINTR, "receive interrupted by a signal");
      gathered = true;
    }
  }
  pause_next_ = false;
  size_t delivered = 0;
  size_t datagrams = 0;
  while (datagrams < options.max_batch) {
    const bool batch_mode = batch.slots() > 1 && (gathered || batching_ || ++singles_ % 16 == 0);
    const size_t wanted = batch_mode ? std::min(batch.slots(), options.max_batch - datagrams) : 1;
    auto received =
        batch_mode && batch.slots() > 1 ? batch.receive(socket, wanted, wait) : batch.receive_one(socket, wait);
    if (!received) {
      switch (received.error().code()) {
        case ErrorCode::overrun:
          // Reported once per overflow; the socket keeps working. Not one of
          // max_batch's datagrams: the call goes on, without waiting, until
          // the queue is empty (a waiting call then finds the socket
          // listening again). The next 64 calls do not sleep, and the
          // sleeps after them start with the shortest steps.
          ++counters.overruns;
          unpaused_calls_ = 64;
          step_shift_ = max_step_shift;
          wait = false;
          continue;
        case ErrorCode::interrupted:
          if (wait) return received.error();
          continue;
        case ErrorCode::would_block:
          // The timeout passed, or someone made fd() non-blocking: then wait in poll.
          if (wait && !wait_if_nonblocking(timeout)) return delivered;
          if (wait) {
            wait = false;
            continue;
          }
          pause_next_ = delivered > 0;
          return delivered;
        default: return received.error();
      }
    }
    for (size_t i = 0; i < *received; ++i) {
      if (batch.truncated(i)) {
        ++counters.truncated;
        continue;
      }
      delivered += on_datagram(batch.bytes(i), batch.sender_port(i));
    }
    datagrams += *received;
    if (!batch_mode) {
      // Single mode returns after a sample: the next call takes the next
      // datagram. Anything else (controller news about a module reload, a
      // message of no interest) is read past without waiting.
      if (delivered > 0) {
        pause_next_ = true;
        break;
      }
      wait = false;
      continue;
    }
    gathered = false;
    batching_ = *received == batch.slots();  // a backlog: every slot filled
    if (*received < wanted) {                // the queue is empty
      pause_next_ = delivered > 0;
      break;
    }
    wait = false;
  }
  return delivered;
}

// The coalescing sleep, in steps of pause >> step_shift_, the queue read
// after each (the header comment above says how the steps are chosen).
// False when a signal cut it short.
bool EventCore::coalesce_sleep(std::chrono::microseconds pause) noexcept {
  uint32_t memory[SK_MEMINFO_RCVBUF + 1];  // SK_MEMINFO_RMEM_ALLOC (bytes queued), then RCVBUF
  uint32_t before = 0;
  bool quiet = true;                                            // every step brought less than 1/16 of the buffer
  const uint32_t total = static_cast<uint32_t>(pause.count());  // validate(): at most 100,000 us
  uint32_t slept = 0;
  for (;;) {
    socklen_t length = sizeof memory;
    // Without SO_MEMINFO (before Linux 4.6) nothing tells how full it is: no sleep.
    if (::getsockopt(socket.fd(), SOL_SOCKET, SO_MEMINFO, memory, &length) != 0 || length < sizeof memory) return true;
    const uint32_t queued = memory[SK_MEMINFO_RMEM_ALLOC], buffer = memory[SK_MEMINFO_RCVBUF];
    if (slept > 0) {
      const uint32_t came = queued - before;
      if (came > buffer / 8 && step_shift_ < max_step_shift) ++step_shift_;
      quiet = quiet && came < buffer / 16;
    }
    if (queued >= buffer / 8 || slept >= total) break;
    const uint32_t step = (total >> step_shift_) | 1u;  // the last may end a few us past the pause
    slept += step;
    timespec nap{0, static_cast<long>(step) * 1000};
    if (::clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, nullptr) != 0) return false;
    before = queued;
  }
  if (slept > 0 && quiet && step_shift_ > 0) --step_shift_;
  return true;
}

// After a waiting receive said EAGAIN: the socket timeout passed, unless the
// fd is O_NONBLOCK (the caller set it for epoll). Then waits in poll instead.
// True when a datagram is queued. Costs a syscall only when a wait ends empty;
// the receive path reads no clock (without a vDSO clock, as under some
// hypervisors and on many MIPS boards, that is a syscall per call).
bool EventCore::wait_if_nonblocking(std::chrono::milliseconds timeout) noexcept {
  const int flags = ::fcntl(socket.fd(), F_GETFL);
  if (flags < 0 || (flags & O_NONBLOCK) == 0) return false;
  const long long wait_ms = timeout.count() < 0 ? -1 : timeout.count();
  pollfd descriptor{socket.fd(), POLLIN, 0};
  return ::poll(&descriptor, 1, wait_ms > 0x7fffffff ? 0x7fffffff : static_cast<int>(wait_ms)) > 0;
}

}  // namespace psample::events
