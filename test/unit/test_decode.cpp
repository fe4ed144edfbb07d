// Layer 2: decoding psample messages, attribute by attribute and on bad input.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>

#include "psample/decode.hpp"
#include "support/psample_wire.hpp"

using namespace psample;
using wire::Bytes;
using wire::inside;
using wire::view;

namespace {
Bytes sample_with(const Bytes& attributes) { return wire::genl_message(wire::test_family_id, 0, attributes); }
}  // namespace

TEST_CASE("a kernel-shaped sample decodes field by field", "[decode]") {
  const wire::SampleSpec spec;
  const Bytes message = wire::kernel_sample(spec);
  auto p = decode(view(message));
  REQUIRE(p);
  CHECK(p->in_ifindex() == 3);
  CHECK(p->sample_rate() == 10);
  CHECK(p->orig_size() == 98);
  CHECK(p->group() == 7);
  CHECK(p->group_seq() == 41);
  CHECK(p->timestamp() == 1764170000123456789ull);
  CHECK(p->proto() == 0x0800);
  CHECK(Bytes(p->data().begin(), p->data().end()) == spec.data);
  CHECK(inside(p->data(), message));
  CHECK(p->is_truncated());
  CHECK(p->present_mask() ==
        ((1u << attr::iifindex) | (1u << attr::sample_rate) | (1u << attr::origsize) | (1u << attr::sample_group) |
         (1u << attr::group_seq) | (1u << attr::timestamp) | (1u << attr::proto) | (1u << attr::data)));
  CHECK_FALSE(p->has_out_ifindex());
  CHECK_FALSE(p->has_tunnel());
  CHECK_FALSE(p->has_user_cookie());
  CHECK_FALSE(p->sample_probability());
  CHECK(p->sender_port() == 0);
}

TEST_CASE("absent attributes are told apart from zero", "[decode]") {
  const Bytes present_zero =
      sample_with(wire::cat({wire::attr(attr::sample_group, wire::u32(0)), wire::attr(attr::oifindex, wire::u16(0))}));
  const Bytes absent = sample_with(wire::attr(attr::sample_group, wire::u32(0)));
  auto a = decode(view(present_zero));
  auto b = decode(view(absent));
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->has_out_ifindex());
  CHECK_FALSE(b->has_out_ifindex());
  CHECK(a->out_ifindex() == 0);
  CHECK(b->out_ifindex() == 0);
}

TEST_CASE("every attribute of the table decodes", "[decode]") {
  const Bytes cookie = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const Bytes message = sample_with(wire::cat({
      wire::attr(attr::iifindex, wire::u32(70000)),  // user-space producers send u32
      wire::attr(attr::oifindex, wire::u16(12)),
      wire::attr(attr::origsize, wire::u32(1500)),
      wire::attr(attr::sample_group, wire::u32(0xfffffffe)),
      wire::attr(attr::group_seq, wire::u32(0xffffffff)),
      wire::attr(attr::sample_rate, wire::u32(0x80000000)),
      wire::attr(attr::data, wire::filled(3)),
      wire::attr(attr::pad, {}),
      wire::attr(attr::out_tc, wire::u16(5)),
      wire::attr(attr::out_tc_occ, wire::u64(123456789012ull)),
      wire::attr(attr::latency, wire::u64(987654321ull)),
      wire::attr(attr::timestamp, wire::u64(1ull << 62)),
      wire::attr(attr::proto, wire::u16(0x86dd)),
      wire::attr(attr::user_cookie, cookie),
      wire::attr(attr::sample_probability, {}),
  }));
  auto p = decode(view(message));
  REQUIRE(p);
  CHECK(p->in_ifindex() == 70000);
  CHECK(p->out_ifindex() == 12);
  CHECK(p->orig_size() == 1500);
  CHECK(p->group() == 0xfffffffe);
  CHECK(p->group_seq() == 0xffffffff);
  CHECK(p->sample_rate() == 0x80000000);
  CHECK(p->data().size() == 3);
  CHECK(p->has(attr::pad));
  CHECK(p->out_tc() == 5);
  CHECK(p->out_tc_occ() == 123456789012ull);
  CHECK(p->latency() == 987654321ull);
  CHECK(p->timestamp() == 1ull << 62);
  CHECK(p->proto() == 0x86dd);
  CHECK(Bytes(p->user_cookie().begin(), p->user_cookie().end()) == cookie);
  CHECK(inside(p->user_cookie(), message));
  CHECK(p->sample_probability());
  CHECK(p->has_out_tc());
  CHECK(p->has_out_tc_occ());
  CHECK(p->has_latency());
  CHECK(p->has_user_cookie());
}

TEST_CASE("the tunnel key decodes into a TunnelView", "[decode]") {
  const Bytes geneve = wire::filled(8, 0x40);
  const Bytes erspan = wire::filled(12, 0x70);
  const Bytes v6src = wire::filled(16, 0x20);
  const Bytes v6dst = wire::filled(16, 0x30);
  const Bytes tunnel = wire::cat({
      wire::attr(tunnel_attr::id, wire::be64(0x0102030405060708ull)),
      wire::attr(tunnel_attr::ipv4_src, Bytes{192, 0, 2, 1}), wire::attr(tunnel_attr::ipv4_dst, Bytes{198, 51, 100, 2}),
      wire::attr(tunnel_attr::tos, wire::u8(0x28)), wire::attr(tunnel_attr::ttl, wire::u8(64)),
      wire::attr(tunnel_attr::dont_fragment, {}), wire::attr(tunnel_attr::csum, {}), wire::attr(tunnel_attr::oam, {}),
      wire::attr(tunnel_attr::geneve_opts, geneve), wire::attr(tunnel_attr::tp_src, wire::be16(49152)),
      wire::attr(tunnel_attr::tp_dst, wire::be16(6081)), wire::attr(tunnel_attr::ipv6_src, v6src),
      wire::attr(tunnel_attr::ipv6_dst, v6dst), wire::attr(tunnel_attr::erspan_opts, erspan),
      wire::attr(99, wire::u32(1)),  // unknown: skipped
  });
  const Bytes message =
      sample_with(wire::cat({wire::attr(attr::sample_group, wire::u32(1)), wire::attr(attr::tunnel, tunnel)}));
  auto p = decode(view(message));
  REQUIRE(p);
  REQUIRE(p->has_tunnel());
  const TunnelView& t = p->tunnel();
  CHECK(t.id == 0x0102030405060708ull);
  CHECK(Bytes(t.ipv4_src, t.ipv4_src + 4) == Bytes{192, 0, 2, 1});
  CHECK(Bytes(t.ipv4_dst, t.ipv4_dst + 4) == Bytes{198, 51, 100, 2});
  CHECK(t.tos == 0x28);
  CHECK(t.ttl == 64);
  CHECK(t.dont_fragment());
  CHECK(t.csum());
  CHECK(t.oam());
  CHECK_FALSE(t.ipv4_info_bridge());
  CHECK(t.tp_src == 49152);
  CHECK(t.tp_dst == 6081);
  CHECK(Bytes(t.ipv6_src, t.ipv6_src + 16) == v6src);
  CHECK(Bytes(t.ipv6_dst, t.ipv6_dst + 16) == v6dst);
  CHECK(Bytes(t.geneve_opts.begin(), t.geneve_opts.end()) == geneve);
  CHECK(Bytes(t.erspan_opts.begin(), t.erspan_opts.end()) == erspan);
  CHECK(inside(t.geneve_opts, message));
  uint32_t expected_present = 0;
  for (uint16_t id : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 15}) expected_present |= 1u << id;
  CHECK(t.present == expected_present);  // the unknown attribute 99 left no trace
}

TEST_CASE("kernels 5.8-5.11 put the tunnel at attribute 7", "[decode]") {
  const Bytes tunnel = wire::attr(tunnel_attr::ttl, wire::u8(9));
  const Bytes message = sample_with(wire::attr(attr::group_refcount, tunnel));  // the views point into it
  auto p = decode(view(message));
  REQUIRE(p);
  CHECK(p->has_tunnel());
  CHECK(p->tunnel().ttl == 9);
}

TEST_CASE("unknown attribute types are skipped", "[decode]") {
  const Bytes message =
      sample_with(wire::cat({wire::attr(attr::count, wire::filled(7)), wire::attr(attr::sample_group, wire::u32(4)),
                             wire::attr(0x3fff, {}), wire::attr(200, wire::u64(1))}));
  auto p = decode(view(message));
  REQUIRE(p);
  CHECK(p->group() == 4);
  CHECK(p->present_mask() == 1u << attr::sample_group);
}

TEST_CASE("empty DATA and the largest DATA a netlink attribute can carry", "[decode]") {
  SECTION("empty") {
    auto p = decode(view(sample_with(wire::attr(attr::data, {}))));
    REQUIRE(p);
    CHECK(p->has_data());
    CHECK(p->data().empty());
  }
  SECTION("65,531 bytes: nla_len is 16 bits, so 65,535 minus the 4-byte header is the maximum") {
    const Bytes data = wire::filled(65531, 3);
    const Bytes message =
        sample_with(wire::cat({wire::attr(attr::origsize, wire::u32(65535)), wire::attr(attr::data, data)}));
    auto p = decode(view(message));
    REQUIRE(p);
    CHECK(p->data().size() == 65531);
    CHECK(std::memcmp(p->data().data(), data.data(), data.size()) == 0);
    CHECK(p->is_truncated());
  }
}

TEST_CASE("DATA padding is never read", "[decode]") {
  // DATA of 5 bytes is the last attribute; the message ends right after its
  // payload, in a heap block of exactly that size (ASan flags any pad read).
  Bytes message = sample_with(wire::attr(attr::data, wire::filled(5)));
  message.resize(message.size() - 3);
  const uint32_t length = uint32_t(message.size());
  std::memcpy(message.data(), &length, 4);  // nlmsg_len, in the host's byte order
  std::unique_ptr<uint8_t[]> exact(new uint8_t[message.size()]);
  std::memcpy(exact.get(), message.data(), message.size());
  auto p = decode(ByteView(exact.get(), message.size()));
  REQUIRE(p);
  CHECK(p->data().size() == 5);
  CHECK(p->data().end() == exact.get() + message.size());
}

TEST_CASE("each known attribute at a wrong width is a malformed error naming it", "[decode]") {
  struct Row {
    uint16_t type;
    size_t width;
    const char* name;
  };
  const Row rows[] = {
      {attr::iifindex, 3, "IIFINDEX"},         {attr::iifindex, 8, "IIFINDEX"},
      {attr::oifindex, 1, "OIFINDEX"},         {attr::origsize, 2, "ORIGSIZE"},
      {attr::sample_group, 8, "SAMPLE_GROUP"}, {attr::group_seq, 0, "GROUP_SEQ"},
      {attr::sample_rate, 5, "SAMPLE_RATE"},   {attr::out_tc, 4, "OUT_TC"},
      {attr::out_tc_occ, 4, "OUT_TC_OCC"},     {attr::latency, 7, "LATENCY"},
      {attr::timestamp, 4, "TIMESTAMP"},       {attr::proto, 4, "PROTO"},
      {attr::user_cookie, 17, "USER_COOKIE"},  {attr::sample_probability, 1, "SAMPLE_PROBABILITY"},
  };
  for (const Row& row : rows) {
    INFO(row.name << " at width " << row.width);
    auto p = decode(view(sample_with(wire::attr(row.type, Bytes(row.width, 1)))));
    REQUIRE_FALSE(p);
    CHECK(p.error().code() == ErrorCode::malformed);
    CHECK(std::string(p.error().message()).find(row.name) != std::string::npos);
  }
}

// The attribute tables (protocol.hpp) decide, row by row, what decode()
// accepts and how it reports the rest; the test above pins the same rules
// by hand for today's rows. A new row is covered here without a new test.
TEST_CASE("every width rule of every table row is what decode() applies", "[decode][table]") {
  for (const AttributeSpec& spec : sample_attributes) {
    for (size_t width = 0; width <= 20; ++width) {
      INFO(spec.name << " (" << spec.number << ") at width " << width);
      // Nested rows get well-formed nested bytes (a tunnel key is validated).
      const Bytes payload = spec.width == Width::nested && width >= 4 && width % 4 == 0
                                ? wire::attr(200, Bytes(width - 4, 0))
                                : Bytes(width, 0);
      if (spec.width == Width::nested && width % 4 != 0) continue;
      Bytes value_bytes = payload;
      for (size_t i = 0; i < value_bytes.size() && spec.width != Width::nested; ++i) value_bytes[i] = uint8_t(i + 1);
      const Bytes message = sample_with(wire::attr(spec.number, value_bytes));
      auto p = decode(view(message));
      CHECK(bool(p) == spec.accepts(width));
      if (!p) {
        CHECK(p.error().code() == ErrorCode::malformed);
        CHECK(std::string(p.error().message()).find(spec.name) != std::string::npos);
        CHECK(std::string(p.error().message()).find("expected") != std::string::npos);
        continue;
      }
      CHECK(p->present_mask() == 1u << spec.slot());
      if (spec.width == Width::any || spec.width == Width::at_most || spec.width == Width::nested) {
        CHECK(p->bytes(spec.slot()).size() == width);
        CHECK(inside(p->bytes(spec.slot()), message));
        CHECK(p->value(spec.slot()) == 0);
      } else if (spec.width == Width::flag) {
        CHECK(p->value(spec.slot()) == 1);
      } else {
        uint64_t expected = 0;  // host order, as the kernel writes it
        const uint16_t probe = 1;
        const bool big_endian = *reinterpret_cast<const uint8_t*>(&probe) == 0;
        std::memcpy(reinterpret_cast<uint8_t*>(&expected) + (big_endian ? 8 - width : 0), value_bytes.data(), width);
        CHECK(p->value(spec.slot()) == expected);
        CHECK(p->bytes(spec.slot()).empty());
      }
    }
  }
  for (const AttributeSpec& spec : tunnel_attributes) {
    for (size_t width = 0; width <= 20; ++width) {
      if (spec.width == Width::nested && width % 4 != 0) continue;
      INFO("tunnel " << spec.name << " at width " << width);
      const Bytes payload =
          spec.width == Width::nested && width >= 4 ? wire::attr(1, Bytes(width - 4, 0)) : Bytes(width, 0);
      auto tunnel = decode_tunnel(view(wire::attr(spec.number, payload)));
      CHECK(bool(tunnel) == spec.accepts(width));
      if (tunnel) CHECK(tunnel->has(spec.number));
      if (!tunnel) CHECK(std::string(tunnel.error().message()).find(spec.name) != std::string::npos);
    }
  }
}

TEST_CASE("tunnel attributes at a wrong width are malformed", "[decode]") {
  const uint16_t types[] = {tunnel_attr::id,  tunnel_attr::ipv4_src,      tunnel_attr::ipv4_dst, tunnel_attr::tos,
                            tunnel_attr::ttl, tunnel_attr::dont_fragment, tunnel_attr::tp_src,   tunnel_attr::ipv6_dst};
  for (uint16_t type : types) {
    INFO("tunnel attribute " << type);
    auto p = decode(view(sample_with(wire::attr(attr::tunnel, wire::attr(type, Bytes(3, 0))))));
    REQUIRE_FALSE(p);
    CHECK(p.error().code() == ErrorCode::malformed);
    CHECK(std::string(p.error().message()).find(tunnel_attr::name(type)) != std::string::npos);
  }
}

TEST_CASE("structural errors are malformed errors", "[decode]") {
  SECTION("truncated nlmsghdr") {
    const Bytes message = wire::kernel_sample({});
    auto p = decode(ByteView(message.data(), 12));
    REQUIRE_FALSE(p);
    CHECK(p.error().code() == ErrorCode::malformed);
  }
  SECTION("no genlmsghdr") {
    const Bytes message = wire::message(wire::test_family_id, {});
    CHECK(decode(view(message)).error().code() == ErrorCode::malformed);
  }
  SECTION("nlmsg_len larger than the bytes given") {
    Bytes message = wire::kernel_sample({});
    message[0] = uint8_t(message[0] + 4);
    CHECK(decode(view(message)).error().code() == ErrorCode::malformed);
  }
  SECTION("nla_len below 4") {
    const Bytes message = sample_with(wire::attr_with_length(attr::origsize, 2, wire::u32(0)));
    CHECK(decode(view(message)).error().code() == ErrorCode::malformed);
  }
  SECTION("nla_len past the end of the message") {
    const Bytes message = sample_with(wire::attr_with_length(attr::data, 40, wire::u32(0)));
    CHECK(decode(view(message)).error().code() == ErrorCode::malformed);
  }
  SECTION("nested tunnel attribute overflowing its parent") {
    const Bytes tunnel = wire::attr_with_length(tunnel_attr::id, 20, wire::u64(1));
    const Bytes message = sample_with(wire::attr(attr::tunnel, tunnel));
    CHECK(decode(view(message)).error().code() == ErrorCode::malformed);
  }
  SECTION("trailing bytes after the last attribute") {
    const Bytes message = sample_with(wire::cat({wire::attr(attr::sample_group, wire::u32(1)), Bytes{0, 0}}));
    CHECK(decode(view(message)).error().code() == ErrorCode::malformed);
  }
}

TEST_CASE("bytes after nlmsg_len are not part of the message", "[decode]") {
  Bytes message = wire::kernel_sample({});
  message.push_back(0xff);  // e.g. the next message in the datagram
  auto p = decode(view(message));
  REQUIRE(p);
  CHECK(p->group() == 7);
}

TEST_CASE("a message that is not PSAMPLE_CMD_SAMPLE is reported as such", "[decode]") {
  for (uint8_t command : {uint8_t(1), uint8_t(2), uint8_t(3), uint8_t(77)}) {
    const Bytes message =
        wire::genl_message(wire::test_family_id, command, wire::attr(attr::sample_group, wire::u32(1)));
    auto p = decode(view(message));
    REQUIRE_FALSE(p);
    CHECK(p.error().code() == ErrorCode::not_a_sample);
  }
}

TEST_CASE("decode is correct at every buffer alignment", "[decode]") {
  const Bytes message = sample_with(wire::cat({wire::attr(attr::sample_group, wire::u32(9)),
                                               wire::attr(attr::timestamp, wire::u64(0x0102030405060708ull)),
                                               wire::attr(attr::out_tc_occ, wire::u64(77))}));
  for (size_t offset = 0; offset < 8; ++offset) {
    std::unique_ptr<uint8_t[]> buffer(new uint8_t[message.size() + offset]);
    std::memcpy(buffer.get() + offset, message.data(), message.size());
    auto p = decode(ByteView(buffer.get() + offset, message.size()));
    REQUIRE(p);
    CHECK(p->timestamp() == 0x0102030405060708ull);
    CHECK(p->out_tc_occ() == 77);
  }
}

TEST_CASE("group messages decode into GroupInfo", "[decode]") {
  SECTION("NEW_GROUP with refcount and seq") {
    const Bytes message = wire::genl_message(
        wire::test_family_id, 2,
        wire::cat({wire::attr(attr::sample_group, wire::u32(5)), wire::attr(attr::group_refcount, wire::u32(2)),
                   wire::attr(attr::group_seq, wire::u32(1000))}));
    auto g = decode_group(view(message));
    REQUIRE(g);
    CHECK(g->command == Command::new_group);
    CHECK(g->group == 5);
    CHECK(g->refcount == 2);
    CHECK(g->seq == 1000);
    CHECK(g->has_refcount);
    CHECK(g->has_seq);
  }
  SECTION("kernels 5.8-5.11 numbered the refcount 8") {
    const Bytes message = wire::genl_message(
        wire::test_family_id, 3,
        wire::cat({wire::attr(attr::sample_group, wire::u32(5)), wire::attr(attr::tunnel, wire::u32(3))}));
    auto g = decode_group(view(message));
    REQUIRE(g);
    CHECK(g->command == Command::del_group);
    CHECK(g->refcount == 3);
  }
  SECTION("a group message without a group") {
    const Bytes message = wire::genl_message(wire::test_family_id, 2, wire::attr(attr::group_seq, wire::u32(1)));
    CHECK(decode_group(view(message)).error().code() == ErrorCode::malformed);
  }
  SECTION("a refcount of the wrong width") {
    const Bytes message = wire::genl_message(
        wire::test_family_id, 2,
        wire::cat({wire::attr(attr::sample_group, wire::u32(5)), wire::attr(attr::group_refcount, wire::u16(1))}));
    CHECK(decode_group(view(message)).error().code() == ErrorCode::malformed);
  }
  SECTION("a sample is not a group message") { CHECK_FALSE(decode_group(view(wire::kernel_sample({})))); }
}
