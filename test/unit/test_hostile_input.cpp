// The hostile-input contract (README, "Bad input"): one test per row. Each
// feeds the Receiver's real delivery path (Receiver::process, what receive()
// runs on every datagram) and checks the counter and that the stream goes on.
// The truncated-datagram row needs a socket: see the host and VM suites.
#include <catch2/catch.hpp>

#include <malloc.h>
#include <sys/resource.h>

#include <cerrno>
#include <random>

#include "psample/psample.hpp"
#include "support/psample_wire.hpp"
#include "support/receivers.hpp"

using namespace psample;
using wire::Bytes;
using wire::view;

namespace {

Bytes good(uint32_t seq) {
  wire::SampleSpec spec;
  spec.seq = seq;
  return wire::aligned(wire::kernel_sample(spec));
}

// Delivers `bad`, then a good sample; returns the Receiver's stats after both.
ReceiverStats after(const Bytes& bad, uint32_t sender = 0) {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  size_t delivered = 0;
  auto handler = [&](const PacketView&) { ++delivered; };
  receiver.process(view(bad), sender, handler);
  receiver.process(view(good(2)), 0, handler);
  const ReceiverStats stats = receiver.stats();
  CHECK(stats.samples == delivered);
  CHECK(delivered >= 1);  // the stream goes on
  return stats;
}
}  // namespace

TEST_CASE("hostile: bad lengths (nlmsg_len, nla_len) are malformed", "[hostile]") {
  Bytes long_message = good(1);
  long_message[0] = 0xf0;  // nlmsg_len past the datagram
  CHECK(after(long_message).malformed == 1);
  const Bytes short_attribute = wire::genl_message(wire::test_family_id, 0, wire::attr_with_length(attr::data, 2, {}));
  CHECK(after(short_attribute).malformed == 1);
  const Bytes overflowing =
      wire::genl_message(wire::test_family_id, 0, wire::attr_with_length(attr::data, 200, wire::u32(1)));
  CHECK(after(overflowing).malformed == 1);
}

TEST_CASE("hostile: wrong widths are malformed", "[hostile]") {
  const Bytes wide =
      wire::aligned(wire::genl_message(wire::test_family_id, 0, wire::attr(attr::timestamp, wire::u32(1))));
  const ReceiverStats stats = after(wide);
  CHECK(stats.malformed == 1);
  CHECK(stats.samples == 1);
}

TEST_CASE("hostile: a wrong command is ignored", "[hostile]") {
  const Bytes command =
      wire::aligned(wire::genl_message(wire::test_family_id, 99, wire::attr(attr::sample_group, wire::u32(1))));
  CHECK(after(command).ignored_command == 1);
}

TEST_CASE("hostile: a foreign sender is ignored", "[hostile]") { CHECK(after(good(1), 31337).ignored_sender == 1); }

TEST_CASE("hostile: an unexpected family id is ignored", "[hostile]") {
  CHECK(after(wire::aligned(wire::kernel_sample({}, 0x77))).ignored_family == 1);
}

TEST_CASE("hostile: NLMSG_ERROR and NLMSG_OVERRUN in the multicast stream are ignored", "[hostile]") {
  const Bytes error = wire::message(2, wire::cat({wire::u32(uint32_t(-ENOBUFS)), Bytes(16, 0)}));
  CHECK(after(error).ignored_family == 1);
  CHECK(after(wire::message(4, {})).ignored_family == 1);
}

TEST_CASE("hostile: a datagram holding several messages delivers each", "[hostile]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  size_t delivered = 0;
  const Bytes datagram = wire::cat({good(1), good(2), good(3)});
  receiver.process(view(datagram), 0, [&](const PacketView&) { ++delivered; });
  CHECK(delivered == 3);
  CHECK(receiver.stats().samples == 3);
}

TEST_CASE("soak: a million mutated messages, counters add up, no memory growth", "[soak]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  std::mt19937 random(20261126);
  std::vector<Bytes> seeds;
  for (uint32_t i = 0; i < 16; ++i) {
    wire::SampleSpec spec;
    spec.group = i % 3;
    spec.data = wire::filled(i * 37 % 300);
    seeds.push_back(wire::aligned(wire::kernel_sample(spec)));
  }
  seeds.push_back(wire::aligned(wire::genl_message(
      wire::test_family_id, 2,
      wire::cat({wire::attr(attr::sample_group, wire::u32(5)), wire::attr(attr::group_seq, wire::u32(1))}))));
  uint64_t delivered = 0;
  auto handler = [&](const PacketView& p) {
    delivered += 1;
    // Views must lie inside the datagram the Receiver was given; reading them all checks that under ASan.
    volatile uint8_t sink = 0;
    for (uint8_t b : p.data()) sink = uint8_t(sink ^ b);
    for (uint8_t b : p.user_cookie()) sink = uint8_t(sink ^ b);
  };
  auto group_handler = [&](const GroupInfo&) {};
  auto peak_rss_kib = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
  };
  // Heap blocks in use plus mmapped ones: glibc serves a large block (the
  // sequence tracker's table at its bound, 144 KiB) from mmap or from the
  // heap depending on what was freed before, so both count.
  auto heap_in_use = [] {
    const auto info = mallinfo2();
    return static_cast<long>(info.uordblks + info.hblkhd);
  };

  // The Receiver's per-group state at its bound before the warm-up ends:
  // mutated group numbers would otherwise grow it (boundedly) afterwards.
  for (uint32_t g = 0; g < max_tracked_groups; ++g) {
    wire::SampleSpec spec;
    spec.group = 1000000 + g;
    (void)receiver.process(view(wire::aligned(wire::kernel_sample(spec))), 0, handler);
  }
  const uint64_t prefed = delivered;
  REQUIRE(support::group_counters(receiver).size() == max_tracked_groups);

  const uint64_t sent = 1000000;
  Bytes datagram;
  long rss_after_warmup = 0, heap_after_warmup = 0;
  for (uint64_t n = 0; n < sent; ++n) {
    datagram = seeds[random() % seeds.size()];
    const unsigned mutations = random() % 4;
    for (unsigned m = 0; m < mutations; ++m) {
      switch (random() % 4) {
        case 0:  // any byte after nlmsg_len
          if (datagram.size() > 4) datagram[4 + random() % (datagram.size() - 4)] = uint8_t(random());
          break;
        case 1:  // truncate (nlmsg_len then runs past the end, or the message is short)
          if (!datagram.empty()) datagram.resize(random() % datagram.size());
          break;
        case 2:  // nlmsg_len too large or below the header: the datagram fails as a whole
          if (datagram.size() >= 4) {
            const uint32_t length = random() % 2 ? uint32_t(datagram.size() + 1 + random() % 100) : random() % 16;
            std::memcpy(datagram.data(), &length, 4);
          }
          break;
        case 3:  // an attribute length field somewhere
          if (datagram.size() > 24) {
            const uint16_t length = uint16_t(random());
            std::memcpy(datagram.data() + 20 + 4 * (random() % ((datagram.size() - 20) / 4)), &length, 2);
          }
          break;
      }
    }
    // One datagram, one message: nlmsg_len never leaves room for a second one.
    if (datagram.size() >= 16) {
      uint32_t length;
      std::memcpy(&length, datagram.data(), 4);
      if (length >= 16 && length < datagram.size()) datagram.resize(length);
    }
    if (datagram.empty()) datagram.push_back(0);
    receiver.process(view(datagram), random() % 64 == 0 ? 99 : 0, handler, group_handler);
    if (n == 10000) {
      rss_after_warmup = peak_rss_kib();
      heap_after_warmup = heap_in_use();
    }
  }
  const ReceiverStats s = receiver.stats();
  const uint64_t accounted =
      s.samples - prefed + s.malformed + s.ignored() + s.truncated + s.group_events + s.controller_events;
  INFO("samples " << s.samples << ", malformed " << s.malformed << ", ignored " << s.ignored() << ", group events "
                  << s.group_events << ", controller " << s.controller_events);
  CHECK(accounted == sent);
  CHECK(s.samples == delivered);
  CHECK(s.samples > sent / 10);    // the mix really exercised the good path
  CHECK(s.malformed > sent / 10);  // and the bad one
  // The heap the process uses must not grow at all beyond noise; peak RSS gets
  // a looser bound because under qemu-user (the cross tests) it also counts
  // the emulator's translation cache.
  const long heap_growth = heap_in_use() - heap_after_warmup;
  const long rss_growth = peak_rss_kib() - rss_after_warmup;
  INFO("heap in use grew by " << heap_growth << " bytes, peak RSS by " << rss_growth << " KiB after warm-up");
  CHECK(heap_growth < 64 * 1024);
  CHECK(rss_growth < 4096);
}
