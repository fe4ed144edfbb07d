// Heap allocations on the hot paths, counted with replaced global operator
// new/delete (this test binary only): zero per sample for decode() and the
// Receiver loop, at most one per Packet (none up to Packet::inline_capacity).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "psample/psample.hpp"
#include "support/psample_wire.hpp"

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {
// 10,000 kernel-shaped samples in 4 groups, DATA 64-191 bytes, one datagram each.
std::vector<wire::Bytes> corpus() {
  std::vector<wire::Bytes> messages;
  for (uint32_t i = 0; i < 10000; ++i) {
    wire::SampleSpec spec;
    spec.group = 1 + i % 4;
    spec.seq = i / 4;
    spec.data = wire::filled(64 + i % 128, uint8_t(i));
    messages.push_back(wire::aligned(wire::kernel_sample(spec)));
  }
  return messages;
}
}  // namespace

TEST_CASE("decode() allocates nothing", "[perf]") {
  const auto messages = corpus();
  uint64_t sum = 0;
  const long before = allocations;
  for (const auto& m : messages) {
    auto p = psample::decode(psample::ByteView(m.data(), m.size()));
    REQUIRE(p);
    sum += p->group_seq();
  }
  CHECK(allocations - before == 0);
  CHECK(sum > 0);
}

TEST_CASE("the Receiver delivery loop allocates nothing per sample", "[perf]") {
  const auto messages = corpus();
  psample::Receiver receiver = psample::Receiver::detached(wire::test_family_id);
  size_t delivered = 0;
  auto handler = [&](const psample::PacketView&) { ++delivered; };
  // Warm-up: the first sample of each group creates its sequence counter.
  for (size_t i = 0; i < 4; ++i)
    receiver.process(psample::ByteView(messages[i].data(), messages[i].size()), 0, handler);
  const long before = allocations;
  for (size_t i = 4; i < messages.size(); ++i) {
    receiver.process(psample::ByteView(messages[i].data(), messages[i].size()), 0, handler);
  }
  CHECK(allocations - before == 0);
  CHECK(delivered == messages.size());
  CHECK(receiver.stats().lost == 0);
}

TEST_CASE("Packet copies allocate only above the inline capacity", "[perf]") {
  const auto messages = corpus();
  long inline_copies = 0, heap_copies = 0;
  for (const auto& m : messages) {
    auto p = psample::decode(psample::ByteView(m.data(), m.size()));
    REQUIRE(p);
    const long before = allocations;
    psample::Packet kept(*p);
    const long used = allocations - before;
    if (p->data().size() <= psample::Packet::inline_capacity) {
      CHECK(used == 0);
      ++inline_copies;
    } else {
      CHECK(used == 1);
      ++heap_copies;
    }
  }
  CHECK(inline_copies == 10000);  // DATA 64-191 bytes: all inline

  wire::SampleSpec big;
  big.data = wire::filled(1500);
  const auto message = wire::kernel_sample(big);
  auto p = psample::decode(psample::ByteView(message.data(), message.size()));
  REQUIRE(p);
  const long before = allocations;
  psample::Packet kept(*p);
  CHECK(allocations - before == 1);
  CHECK(kept.uses_heap());
  CHECK(heap_copies == 0);
}
