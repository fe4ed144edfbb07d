// Keeps samples beyond the handler call: copies each PacketView into an owning
// psample::Packet and hands it to a worker thread through a queue.
// Usage: packet-queue COUNT
#include <psample/psample.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

int main(int argc, char** argv) {
  const unsigned long wanted = argc > 1 ? std::strtoul(argv[1], nullptr, 0) : 10;
  auto receiver = psample::Receiver::open();
  if (!receiver) {
    std::fprintf(stderr, "psample: %s\n", receiver.error().message());
    return 1;
  }
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<psample::Packet> queue;
  bool finished = false;

  std::thread worker([&] {
    unsigned long handled = 0, bytes = 0;
    for (;;) {
      std::unique_lock<std::mutex> lock(mutex);
      ready.wait(lock, [&] { return !queue.empty() || finished; });
      if (queue.empty()) break;
      psample::Packet packet = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      // The receive buffer has long been reused; the Packet's bytes are its own.
      ++handled;
      bytes += packet.data().size();
      std::printf("worker: group %u seq %u len %zu/%u first byte 0x%02x\n", packet.group(), packet.group_seq(),
                  packet.data().size(), packet.orig_size(), packet.data().empty() ? 0 : packet.data()[0]);
    }
    std::printf("worker: %lu packets, %lu bytes\n", handled, bytes);
  });

  unsigned long received = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (received < wanted && std::chrono::steady_clock::now() < deadline) {
    auto got = receiver->receive(
        [&](const psample::PacketView& view) {
          if (received >= wanted) return;
          ++received;
          std::lock_guard<std::mutex> lock(mutex);
          queue.emplace_back(view);  // the owning copy
          ready.notify_one();
        },
        std::chrono::milliseconds(200));
    if (!got) std::fprintf(stderr, "psample: %s\n", got.error().message());
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    finished = true;
  }
  ready.notify_one();
  worker.join();
  return received == wanted ? 0 : 1;
}
