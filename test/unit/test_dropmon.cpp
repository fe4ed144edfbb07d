// The drop monitor: decoding NET_DM messages, the owning copy, and a detached
// DropMonitor's books (rate limit, bad input, other commands).
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "psample/dropmon/decode.hpp"
#include "psample/dropmon/drop.hpp"
#include "psample/dropmon/drop_monitor.hpp"
#include "support/dropmon_wire.hpp"

using namespace psample;
using namespace psample::dropmon;
using wire::Bytes;
using wire::inside;
using wire::view;

namespace {
Bytes bytes_of(ByteView v) { return Bytes(v.begin(), v.end()); }
Bytes with_attributes(uint8_t command, const Bytes& attributes) {
  return wire::genl_message(wire::dropmon_family_id, command, attributes);
}
}  // namespace

TEST_CASE("a software drop decodes field by field, in place", "[dropmon]") {
  const wire::SoftwareDrop spec;
  const Bytes message = wire::software_drop(spec);
  auto d = decode_drop(view(message));
  REQUIRE(d);
  CHECK(d->origin() == Origin::software);
  CHECK_FALSE(d->is_hardware());
  CHECK(d->pc() == spec.pc);
  CHECK(d->reason() == "NO_SOCKET");
  CHECK(d->symbol() == spec.symbol);
  CHECK(d->has_in_ifindex());
  CHECK(d->in_ifindex() == 2);
  CHECK_FALSE(d->has_in_port_name());
  CHECK(d->timestamp_ns() == spec.timestamp);
  CHECK(d->orig_len() == 70);
  CHECK(d->proto() == 0x0800);
  CHECK(bytes_of(d->payload()) == spec.payload);
  CHECK(inside(d->payload(), message));
  CHECK(d->has(attr::reason));
  CHECK_FALSE(d->has(attr::hw_trap_name));
  CHECK(d->trap_name().empty());
  CHECK(d->flow_action_cookie().empty());
  // PC lands 8-byte aligned after ORIGIN, so the kernel adds no PAD here.
  CHECK(d->present_mask() ==
        ((1u << attr::origin) | (1u << attr::pc) | (1u << attr::reason) | (1u << attr::symbol) | (1u << attr::in_port) |
         (1u << attr::timestamp) | (1u << attr::orig_len) | (1u << attr::proto) | (1u << attr::payload)));
}

TEST_CASE("absent is told from zero: ifindex 0 and no payload", "[dropmon]") {
  wire::SoftwareDrop spec;
  spec.ifindex = 0;  // the kernel leaves IFINDEX out of IN_PORT
  spec.payload.clear();
  auto d = decode_drop(view(wire::software_drop(spec)));
  REQUIRE(d);
  CHECK(d->has(attr::in_port));
  CHECK_FALSE(d->has_in_ifindex());
  CHECK_FALSE(d->has(attr::payload));
  CHECK_FALSE(d->has(attr::proto));  // the kernel sends PROTO only with a payload
  CHECK(d->payload().empty());
  CHECK(d->orig_len() == 70);
}

TEST_CASE("a hardware drop carries its trap, port name and cookie", "[dropmon]") {
  const wire::HardwareDrop spec;
  const Bytes message = wire::hardware_drop(spec);
  auto d = decode_drop(view(message));
  REQUIRE(d);
  CHECK(d->is_hardware());
  CHECK(d->trap_group() == "l3_drops");
  CHECK(d->trap_name() == "blackhole_route");
  CHECK(d->in_ifindex() == 5);
  CHECK(d->has_in_port_name());
  CHECK(d->in_port_name() == "eni0np1");
  CHECK(bytes_of(d->flow_action_cookie()) == spec.cookie);
  CHECK(d->proto() == 0x86dd);
  CHECK(bytes_of(d->payload()) == spec.payload);
  CHECK_FALSE(d->has(attr::pc));
  CHECK(d->symbol().empty());
  CHECK(d->reason().empty());
}

TEST_CASE("a drop's bad attribute is refused by its table row, named", "[dropmon]") {
  SECTION("PC of 4 bytes") {
    auto d = decode_drop(view(with_attributes(5, wire::attr(attr::pc, wire::u32(1)))));
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == ErrorCode::malformed);
    CHECK(std::string(d.error().message()) == "NET_DM attribute PC (2) at byte 20 is 4 bytes; expected 8");
  }
  SECTION("a REASON without its NUL") {
    auto d = decode_drop(view(with_attributes(5, wire::attr(attr::reason, Bytes{'N', 'O'}))));
    REQUIRE_FALSE(d);
    CHECK(std::string(d.error().message()).find("REASON (23)") != std::string::npos);
  }
  SECTION("a port name longer than IFNAMSIZ") {
    auto port = wire::attr(attr::in_port, wire::attr(port_attr::name, wire::str("a-name-of-twenty-chars")));
    auto d = decode_drop(view(with_attributes(5, port)));
    REQUIRE_FALSE(d);
    CHECK(std::string(d.error().message()).find("IN_PORT attribute NAME (1) at byte 24") != std::string::npos);
  }
  SECTION("an attribute running past the message") {
    auto d = decode_drop(view(with_attributes(5, wire::attr_with_length(attr::payload, 40, wire::filled(8)))));
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == ErrorCode::malformed);
    CHECK(std::string(d.error().message()).find("at byte 20") != std::string::npos);
  }
  SECTION("another command") {
    auto d = decode_drop(view(wire::software_summary({{1, 1}})));
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == ErrorCode::not_a_sample);
  }
  SECTION("unknown attributes are skipped") {
    auto d =
        decode_drop(view(with_attributes(5, wire::cat({wire::attr(99, wire::u8(1)), wire::attr(14, wire::u16(1))}))));
    REQUIRE(d);
    CHECK(d->is_hardware());
  }
}

TEST_CASE("summary alerts: drop points and trap counts", "[dropmon]") {
  const Bytes software = wire::software_summary({{0xffffffff81000010ull, 3}, {0xffffffff81000020ull, 7}});
  netlink::MessageReader reader(view(software));
  netlink::Message message;
  REQUIRE(reader.next(message));
  auto s = decode_summary(message);
  REQUIRE(s);
  CHECK_FALSE(s->is_hardware());
  REQUIRE(s->point_count() == 2);
  CHECK(s->point(0).pc == 0xffffffff81000010ull);
  CHECK(s->point(1).count == 7);
  CHECK(s->total() == 10);

  const Bytes hardware = wire::hardware_summary({{"blackhole_route", 4}, {"ttl_value_is_too_small", 2}});
  netlink::MessageReader hw_reader(view(hardware));
  REQUIRE(hw_reader.next(message));
  auto h = decode_summary(message);
  REQUIRE(h);
  CHECK(h->is_hardware());
  CHECK(h->trap_count() == 2);
  CHECK(h->total() == 6);
  std::vector<std::string> names;
  h->for_each_trap(
      [&](const TrapCount& t) { names.push_back(std::string(t.trap_name) + "=" + std::to_string(t.count)); });
  CHECK(names == std::vector<std::string>{"blackhole_route=4", "ttl_value_is_too_small=2"});

  // More entries than bytes: refused, nothing read past the attribute.
  Bytes lying = wire::genl_message(wire::dropmon_family_id, 1,
                                   wire::attr(0, wire::cat({wire::u32(3), wire::u64(1), wire::u32(1)})));
  netlink::MessageReader lying_reader(view(lying));
  REQUIRE(lying_reader.next(message));
  auto bad = decode_summary(message);
  REQUIRE_FALSE(bad);
  CHECK(std::string(bad.error().message()).find("more drop points than it holds") != std::string::npos);
}

TEST_CASE("CONFIG_NEW and STATS_NEW replies decode", "[dropmon]") {
  netlink::Message message;
  const Bytes config = with_attributes(
      7, wire::cat({wire::attr(attr::alert_mode, wire::u8(1)), wire::attr(attr::trunc_len, wire::u32(128)),
                    wire::attr(attr::queue_len, wire::u32(1000))}));
  netlink::MessageReader r1(view(config));
  REQUIRE(r1.next(message));
  auto c = decode_config(message);
  REQUIRE(c);
  CHECK(c->alert_mode == AlertMode::packet);
  CHECK(c->trunc_len == 128);
  CHECK(c->queue_len == 1000);

  const Bytes stats = with_attributes(
      9, wire::cat({wire::attr(attr::stats, wire::cat({wire::attr(attr::pad, Bytes{}), wire::attr(0, wire::u64(17))})),
                    wire::attr(attr::hw_stats, wire::attr(0, wire::u64(4)))}));
  netlink::MessageReader r2(view(stats));
  REQUIRE(r2.next(message));
  auto s = decode_stats(message);
  REQUIRE(s);
  CHECK(s->software_dropped == 17);
  CHECK(s->hardware_dropped == 4);
}

TEST_CASE("a Drop keeps its bytes after the buffer is gone", "[dropmon]") {
  Bytes message = wire::hardware_drop(wire::HardwareDrop{});
  auto d = decode_drop(view(message));
  REQUIRE(d);
  Drop kept(*d);
  std::memset(message.data(), 0, message.size());
  message.clear();
  message.shrink_to_fit();
  CHECK(kept.complete());
  CHECK(kept->trap_name() == "blackhole_route");
  CHECK(kept->in_port_name() == "eni0np1");
  CHECK(bytes_of(kept->payload()) == wire::HardwareDrop{}.payload);
  Drop copy = kept;
  Drop moved = std::move(kept);
  CHECK(copy->trap_group() == "l3_drops");
  CHECK(moved->trap_group() == "l3_drops");
  CHECK(copy->payload().data() != moved->payload().data());
  CHECK(kept->payload().empty());
}

TEST_CASE("a detached DropMonitor counts, rate-limits by drop time, and goes on after bad input", "[dropmon]") {
  DropMonitorOptions options;
  options.rate_limit = 3;
  auto monitor = DropMonitor::detached(wire::dropmon_family_id, options);
  REQUIRE(monitor);
  std::vector<uint64_t> delivered;
  auto on_drop = [&](const DropView& d) { delivered.push_back(d.timestamp_ns()); };
  uint64_t summary_total = 0;
  auto on_summary = [&](const SummaryView& s) { summary_total += s.total(); };
  auto drop_at = [](uint64_t ns) {
    wire::SoftwareDrop spec;
    spec.timestamp = ns;
    return wire::software_drop(spec);
  };
  const uint64_t second = 1764900000ull * 1000000000ull;
  size_t total = 0;
  for (int i = 0; i < 5; ++i) total += monitor->process(view(drop_at(second + uint64_t(i))), 0, on_drop, on_summary);
  CHECK(total == 3);
  // A late drop from the second before counts in the window now open.
  total += monitor->process(view(drop_at(second - 5)), 0, on_drop, on_summary);
  // The next second opens a new window.
  for (int i = 0; i < 2; ++i)
    total += monitor->process(view(drop_at(second + 1000000000ull + uint64_t(i))), 0, on_drop, on_summary);
  CHECK(total == 5);
  CHECK(delivered.size() == 5);

  monitor->process(view(wire::software_summary({{1, 2}, {2, 5}})), 0, on_drop, on_summary);
  monitor->process(view(with_attributes(5, wire::attr(attr::pc, wire::u32(1)))), 0, on_drop, on_summary);
  monitor->process(view(with_attributes(7, Bytes{})), 0, on_drop, on_summary);           // CONFIG_NEW in the stream
  monitor->process(view(drop_at(second + 3000000000ull)), 1234, on_drop, on_summary);    // from user space
  monitor->process(view(wire::genl_message(0x30, 5, Bytes{})), 0, on_drop, on_summary);  // another family
  CHECK(monitor->process(view(drop_at(second + 4000000000ull)), 0, on_drop) == 1);       // and the stream goes on

  const DropMonitorStats stats = monitor->stats();
  CHECK(stats.drops == 6);
  CHECK(stats.rate_limited == 3);
  CHECK(stats.summaries == 1);
  CHECK(stats.summary_drops == 7);
  CHECK(summary_total == 7);
  CHECK(stats.malformed == 1);
  CHECK(stats.ignored_command == 1);
  CHECK(stats.ignored_sender == 1);
  CHECK(stats.ignored_family == 1);
  CHECK(stats.bytes == 6 * 70);
  CHECK(stats.lost() == 3);
  CHECK_FALSE(stats.kernel_drops);
  CHECK_FALSE(monitor->started_software());
  CHECK(std::string(monitor->start_note()).empty());
  CHECK(monitor->stop());  // nothing started, nothing stopped
}

TEST_CASE("DropMonitor options are checked before anything opens", "[dropmon]") {
  DropMonitorOptions options;
  options.datagram_bytes = 100;
  auto monitor = DropMonitor::detached(wire::dropmon_family_id, options);
  REQUIRE_FALSE(monitor);
  CHECK(monitor.error().code() == ErrorCode::invalid_argument);
  CHECK(std::string(monitor.error().message()).find("datagram_bytes") != std::string::npos);
}
