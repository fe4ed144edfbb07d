// Invariants of the drop monitor's decoder and DropMonitor on any input,
// shared by fuzz-dropmon and the unit test that replays test/data/regress/.
#pragma once

#include <cstdint>

#include "fuzz_check.hpp"
#include "psample/dropmon/decode.hpp"
#include "psample/dropmon/drop.hpp"
#include "psample/dropmon/drop_monitor.hpp"

namespace fuzz {

inline bool within(const void* inner, size_t length, const uint8_t* data, size_t size) {
  if (length == 0) return true;
  const auto* p = static_cast<const uint8_t*>(inner);
  return p >= data && p + length <= data + size;
}

// Every string and byte view of a decoded drop lies inside the input, and an
// owning copy reads the same.
inline void check_drop(const psample::dropmon::DropView& d, const uint8_t* data, size_t size) {
  FUZZ_CHECK(within(d.symbol().data(), d.symbol().size(), data, size));
  FUZZ_CHECK(within(d.reason().data(), d.reason().size(), data, size));
  FUZZ_CHECK(within(d.trap_group().data(), d.trap_group().size(), data, size));
  FUZZ_CHECK(within(d.trap_name().data(), d.trap_name().size(), data, size));
  FUZZ_CHECK(within(d.in_port_name().data(), d.in_port_name().size(), data, size));
  FUZZ_CHECK(within(d.payload().data(), d.payload().size(), data, size));
  FUZZ_CHECK(within(d.flow_action_cookie().data(), d.flow_action_cookie().size(), data, size));
  FUZZ_CHECK(d.has(psample::dropmon::attr::payload) || d.payload().empty());
  const psample::dropmon::Drop copy(d);
  FUZZ_CHECK(copy.complete());
  FUZZ_CHECK(copy->symbol() == d.symbol() && copy->reason() == d.reason() && copy->trap_name() == d.trap_name());
  FUZZ_CHECK(copy->payload().size() == d.payload().size());
  FUZZ_CHECK(copy->pc() == d.pc() && copy->present_mask() == d.present_mask());
}

// The input as one datagram of NET_DM messages (family id 0x1d): each message
// through every decoder, then the whole through a detached DropMonitor,
// whose counts must add up.
inline void check_dropmon(const uint8_t* data, size_t size) {
  using namespace psample;
  using namespace psample::dropmon;
  const ByteView input(data, size);
  (void)decode_drop(input);
  netlink::MessageReader messages(input);
  netlink::Message message;
  size_t drops = 0;
  size_t summaries = 0;
  while (messages.next(message)) {
    if (auto d = decode_drop(message)) {
      check_drop(*d, data, size);
      ++drops;
    }
    if (auto s = decode_summary(message)) {
      ++summaries;
      uint64_t total = 0;
      for (size_t i = 0; i < s->point_count(); ++i) total += s->point(i).count;
      s->for_each_trap([&](const TrapCount& t) {
        FUZZ_CHECK(within(t.trap_name.data(), t.trap_name.size(), data, size));
        total += t.count;
      });
      FUZZ_CHECK(total == s->total());
    }
    (void)decode_config(message);
    (void)decode_stats(message);
  }
  auto monitor = DropMonitor::detached(0x1d);
  FUZZ_CHECK(monitor.ok());
  size_t seen = 0;
  const size_t delivered = monitor->process(input, 0, [&](const DropView& d) {
    check_drop(d, data, size);
    ++seen;
  });
  FUZZ_CHECK(delivered == seen);
  const DropMonitorStats stats = monitor->stats();
  FUZZ_CHECK(stats.drops == seen);
  (void)drops;
  (void)summaries;
}

}  // namespace fuzz
