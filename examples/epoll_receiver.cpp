// Two Receivers (one per group) and a timer in one epoll loop: how a daemon
// with other sockets integrates psample-cpp. Usage: epoll-receiver GROUP_A GROUP_B [SECONDS]
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <psample/psample.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: epoll-receiver GROUP_A GROUP_B [SECONDS]\n");
    return 2;
  }
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 5;
  std::vector<psample::Receiver> receivers;
  for (int i = 1; i <= 2; ++i) {
    psample::ReceiverOptions options;
    options.groups = {static_cast<uint32_t>(std::strtoul(argv[i], nullptr, 0))};
    auto r = psample::Receiver::open(options);
    if (!r) {
      std::fprintf(stderr, "psample: %s\n", r.error().message());
      return 1;
    }
    receivers.push_back(std::move(*r));
  }
  const int epoll = epoll_create1(EPOLL_CLOEXEC);
  for (size_t i = 0; i < receivers.size(); ++i) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    epoll_ctl(epoll, EPOLL_CTL_ADD, receivers[i].fd(), &event);
  }
  const int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  itimerspec deadline{};
  deadline.it_value.tv_sec = seconds;
  timerfd_settime(timer, 0, &deadline, nullptr);
  epoll_event timer_event{};
  timer_event.events = EPOLLIN;
  timer_event.data.u64 = receivers.size();
  epoll_ctl(epoll, EPOLL_CTL_ADD, timer, &timer_event);

  for (bool done = false; !done;) {
    epoll_event ready[4];
    const int n = epoll_wait(epoll, ready, 4, -1);
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.u64 == receivers.size()) {
        done = true;
        continue;
      }
      psample::Receiver& r = receivers[ready[i].data.u64];
      // Readable: drain without waiting (timeout 0).
      auto got = r.receive(
          [&](const psample::PacketView& p) {
            std::printf("receiver %u: group %u seq %u len %zu\n", unsigned(ready[i].data.u64), p.group(), p.group_seq(),
                        p.data().size());
          },
          std::chrono::milliseconds(0));
      if (!got) std::fprintf(stderr, "psample: %s\n", got.error().message());
    }
  }
  for (size_t i = 0; i < receivers.size(); ++i) {
    const psample::ReceiverStats s = receivers[i].stats();
    std::printf("receiver %zu: %llu samples, %llu lost\n", i, (unsigned long long)s.samples,
                (unsigned long long)s.lost);
  }
  close(timer);
  close(epoll);
  return 0;
}
