// Prints psample samples for ten seconds (the README's example).
#include <psample/psample.hpp>

#include <chrono>
#include <cstdio>

int main() {
  auto receiver = psample::Receiver::open();  // default options (ReceiverOptions)
  if (!receiver) {
    std::fprintf(stderr, "psample: %s\n", receiver.error().message());
    return 2;
  }
  auto print = [](const psample::PacketView& p) {
    std::printf("group %u seq %u rate %u in %u len %zu/%u proto 0x%04x\n", p.group(), p.group_seq(), p.sample_rate(),
                p.in_ifindex(), p.data().size(), p.orig_size(), p.proto());
  };
  for (int i = 0; i < 20; ++i) {
    auto received = receiver->receive(print, std::chrono::milliseconds(500));
    if (!received) std::fprintf(stderr, "psample: %s\n", received.error().message());
  }
  auto stats = receiver->stats();
  std::printf("%llu samples, %llu lost\n", (unsigned long long)stats.samples, (unsigned long long)stats.lost);
}
