// Heap allocations on the hot paths, counted at malloc (this test binary
// only; the library allocates with malloc, never operator new): zero per
// sample for decode() and the Receiver loop, at most one per Packet (none up
// to Packet::inline_capacity). Under AddressSanitizer its allocator hooks
// count; otherwise this binary's own malloc, which can also be told to fail.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "psample/dropmon/drop_monitor.hpp"
#include "psample/psample.hpp"
#include "support/dropmon_wire.hpp"
#include "support/psample_wire.hpp"
#include "support/receivers.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define PSAMPLE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PSAMPLE_TEST_ASAN 1
#endif
#endif

namespace {
std::atomic<long> allocations{0};
}

#ifdef PSAMPLE_TEST_ASAN
#include <sanitizer/allocator_interface.h>
namespace {
void count_malloc(const volatile void*, size_t) { ++allocations; }
void ignore_free(const volatile void*) {}
[[maybe_unused]] const int hooks_installed = __sanitizer_install_malloc_and_free_hooks(count_malloc, ignore_free);
}  // namespace
#else
std::atomic<bool> fail_next_malloc{false};
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* p, size_t size);
void __libc_free(void* p);
void* malloc(size_t size) {
  ++allocations;
  if (fail_next_malloc.exchange(false)) return nullptr;
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  ++allocations;
  return __libc_calloc(count, size);
}
void* realloc(void* p, size_t size) {
  ++allocations;
  return __libc_realloc(p, size);
}
void free(void* p) { __libc_free(p); }
}
#endif

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
  psample::Receiver receiver = support::detached_receiver(wire::test_family_id);
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

TEST_CASE("the drop monitor's decode and delivery allocate nothing per drop", "[perf][dropmon]") {
  // Software and hardware drops and a summary alert, 3,000 datagrams in all.
  std::vector<wire::Bytes> datagrams;
  for (uint32_t i = 0; i < 1000; ++i) {
    wire::SoftwareDrop software;
    software.timestamp = 1764900000000000000ull + i;
    datagrams.push_back(wire::software_drop(software));
    datagrams.push_back(wire::hardware_drop(wire::HardwareDrop{}));
    datagrams.push_back(wire::software_summary({{0xffffffff81000000ull, 3}, {0xffffffff81000100ull, 4}}));
  }
  auto monitor = psample::dropmon::DropMonitor::detached(wire::dropmon_family_id);
  REQUIRE(monitor);
  size_t drops = 0, summaries = 0;
  uint64_t counted = 0;
  const long before = allocations;
  for (const auto& d : datagrams) {
    auto decoded = psample::dropmon::decode_drop(psample::ByteView(d.data(), d.size()));
    if (decoded) counted += decoded->orig_len();
    monitor->process(
        psample::ByteView(d.data(), d.size()), 0, [&](const psample::dropmon::DropView&) { ++drops; },
        [&](const psample::dropmon::SummaryView& s) { summaries += s.total() == 7; });
  }
  CHECK(allocations - before == 0);
  CHECK(drops == 2000);
  CHECK(summaries == 1000);
  CHECK(counted > 0);
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
  CHECK(kept.complete());
  CHECK(heap_copies == 0);
}

#ifndef PSAMPLE_TEST_ASAN
TEST_CASE("out of memory: a Packet keeps its fields and drops its bytes; a Receiver is an Error", "[perf]") {
  wire::SampleSpec big;
  big.data = wire::filled(1500);
  const auto message = wire::kernel_sample(big);
  auto p = psample::decode(psample::ByteView(message.data(), message.size()));
  REQUIRE(p);
  fail_next_malloc = true;
  psample::Packet kept(*p);
  CHECK_FALSE(kept.complete());
  CHECK_FALSE(kept.uses_heap());
  CHECK(kept.group() == big.group);
  CHECK(kept.group_seq() == big.seq);
  CHECK(kept.orig_size() == big.orig_size);
  CHECK_FALSE(kept.has_data());
  CHECK(kept.data().empty());
  psample::Packet copy(kept);  // an incomplete Packet copies as it is
  CHECK_FALSE(copy.complete());
  CHECK(copy.group_seq() == big.seq);

  fail_next_malloc = true;
  auto receiver = psample::Receiver::detached(wire::test_family_id);
  REQUIRE_FALSE(receiver);
  CHECK(receiver.error().code() == psample::ErrorCode::system);
  CHECK(receiver.error().system_errno() == ENOMEM);
  CHECK(std::string(receiver.error().message()).find("out of memory") != std::string::npos);
}
#endif
