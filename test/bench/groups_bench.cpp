// How a Receiver's per-group sequence state scales: 100,000 samples through
// Receiver::process(), first in 4 groups, then each in a group never seen
// before (a sender inventing groups). Prints time per sample and heap growth;
// the tracker's lookup is O(1) and its table is capped (max_tracked_groups),
// so both lines should be close and the heap growth bounded.
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "psample/psample.hpp"
#include "support/psample_wire.hpp"
#include "support/receivers.hpp"

namespace {

void run(const char* what, uint32_t groups_modulo) {
  const uint32_t count = 100000;
  std::vector<wire::Bytes> messages;
  messages.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    wire::SampleSpec spec;
    spec.group = groups_modulo ? i % groups_modulo : i;
    spec.seq = groups_modulo ? i / groups_modulo : 0;
    spec.data = wire::filled(64);
    messages.push_back(wire::aligned(wire::kernel_sample(spec)));
  }
  psample::Receiver receiver = support::detached_receiver(wire::test_family_id);
  unsigned long long sum = 0;
  auto handler = [&](const psample::PacketView& p) { sum += p.group(); };
  const size_t heap_before = mallinfo2().uordblks;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& m : messages) receiver.process(psample::ByteView(m.data(), m.size()), 0, handler);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long heap_growth = long(mallinfo2().uordblks) - long(heap_before);
  const psample::ReceiverStats s = receiver.stats();
  std::printf("%-28s %8.1f ns/sample  heap +%ld bytes  tracked %zu  untracked_samples %llu  lost %llu\n", what,
              seconds * 1e9 / count, heap_growth, support::group_counters(receiver).size(),
              (unsigned long long)s.untracked_samples, (unsigned long long)s.lost);
  if (sum == 1) std::puts("");  // keeps the handler's work
}

}  // namespace

int main() {
  run("100,000 samples, 4 groups", 4);
  run("100,000 samples, new group each", 0);
}
