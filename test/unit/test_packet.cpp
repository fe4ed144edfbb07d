// Layer 2: Packet, the owning copy.
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "psample/decode.hpp"
#include "psample/packet.hpp"
#include "support/psample_wire.hpp"

using namespace psample;
using wire::Bytes;

namespace {
Bytes bytes_of(ByteView v) { return Bytes(v.begin(), v.end()); }

Bytes full_sample(size_t data_size) {
  const Bytes tunnel =
      wire::cat({wire::attr(tunnel_attr::id, wire::be64(42)), wire::attr(tunnel_attr::ttl, wire::u8(3)),
                 wire::attr(tunnel_attr::geneve_opts, wire::filled(8, 0x80)),
                 wire::attr(tunnel_attr::erspan_opts, wire::filled(4, 0x90))});
  wire::SampleSpec spec;
  spec.data = wire::filled(data_size, 1);
  return wire::genl_message(
      wire::test_family_id, 0,
      wire::cat({wire::kernel_sample_attributes(spec), wire::attr(attr::tunnel, tunnel),
                 wire::attr(attr::user_cookie, wire::filled(16, 0xc0)), wire::attr(attr::sample_probability, {})}));
}

void check_same(const Packet& packet, const PacketView& view) {
  CHECK(packet.present_mask() == view.present_mask());
  CHECK(packet.group() == view.group());
  CHECK(packet.group_seq() == view.group_seq());
  CHECK(packet.sample_rate() == view.sample_rate());
  CHECK(packet.orig_size() == view.orig_size());
  CHECK(packet.in_ifindex() == view.in_ifindex());
  CHECK(packet.timestamp() == view.timestamp());
  CHECK(packet.proto() == view.proto());
  CHECK(packet.sample_probability() == view.sample_probability());
  CHECK(bytes_of(packet.data()) == bytes_of(view.data()));
  CHECK(bytes_of(packet.user_cookie()) == bytes_of(view.user_cookie()));
  CHECK(packet.tunnel().id == view.tunnel().id);
  CHECK(packet.tunnel().ttl == view.tunnel().ttl);
  CHECK(bytes_of(packet.tunnel().geneve_opts) == bytes_of(view.tunnel().geneve_opts));
  CHECK(bytes_of(packet.tunnel().erspan_opts) == bytes_of(view.tunnel().erspan_opts));
}
}  // namespace

TEST_CASE("a Packet keeps every field after the receive buffer is gone", "[packet]") {
  for (size_t data_size : {size_t(0), size_t(64), size_t(200), size_t(201), size_t(1500), size_t(9000)}) {
    INFO("data size " << data_size);
    Bytes message = full_sample(data_size);
    auto view = decode(ByteView(message.data(), message.size()));
    REQUIRE(view);
    Packet packet(*view);
    check_same(packet, *view);
    // Inline storage up to 256 bytes of data + cookie + the tunnel's attributes.
    const size_t stored = data_size + view->user_cookie().size() + view->tunnel_attributes().size();
    CHECK(packet.uses_heap() == (stored > Packet::inline_capacity));
    const Bytes expected_data = bytes_of(view->data());
    std::fill(message.begin(), message.end(), 0xFF);  // the "receive buffer" is reused
    CHECK(bytes_of(packet.data()) == expected_data);
    CHECK(packet.tunnel().id == 42);
  }
}

TEST_CASE("Packet copies and moves own independent bytes", "[packet]") {
  for (size_t data_size : {size_t(64), size_t(2000)}) {
    INFO("data size " << data_size);
    const Bytes message = full_sample(data_size);
    auto view = decode(ByteView(message.data(), message.size()));
    REQUIRE(view);
    Packet original(*view);
    Packet copy(original);
    CHECK(copy.data().data() != original.data().data());
    check_same(copy, *view);

    Packet moved(std::move(copy));
    check_same(moved, *view);
    CHECK(copy.data().empty());  // NOLINT: moved-from is a valid, empty packet
    CHECK(copy.user_cookie().empty());

    Packet assigned;
    assigned = moved;
    check_same(assigned, *view);
    assigned = std::move(moved);
    check_same(assigned, *view);

    std::vector<Packet> queue;
    for (int i = 0; i < 50; ++i) queue.push_back(original);  // reallocations move them around
    for (const Packet& p : queue) CHECK(bytes_of(p.data()) == bytes_of(view->data()));
  }
}

TEST_CASE("a default Packet is empty", "[packet]") {
  Packet p;
  CHECK(p.present_mask() == 0);
  CHECK(p.data().empty());
  CHECK_FALSE(p.has_group());
  CHECK_FALSE(p.uses_heap());
}

TEST_CASE("observation_ids: an 8-byte cookie is Open vSwitch's domain and point ids, others stay raw", "[packet]") {
  const size_t length = GENERATE(size_t(0), size_t(4), size_t(7), size_t(8), size_t(9), size_t(16));
  INFO("cookie of " << length << " bytes");
  Bytes cookie = {0x00, 0x00, 0x01, 0x02, 0xa0, 0xb0, 0xc0, 0xd0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  cookie.resize(length);
  wire::SampleSpec spec;
  Bytes attributes = wire::kernel_sample_attributes(spec);
  if (length > 0) attributes = wire::cat({attributes, wire::attr(attr::user_cookie, cookie)});
  const Bytes message = wire::genl_message(wire::test_family_id, 0, attributes);
  auto view = decode(wire::view(message));
  REQUIRE(view);
  const Packet packet(*view);
  CHECK(view->has_user_cookie() == (length > 0));
  CHECK(bytes_of(view->user_cookie()) == cookie);
  for (const std::optional<ObservationIds>& ids : {view->observation_ids(), packet.observation_ids()}) {
    if (length == 8) {
      REQUIRE(ids);
      CHECK(ids->domain == 0x0102u);
      CHECK(ids->point == 0xa0b0c0d0u);
    } else {
      CHECK_FALSE(ids);
    }
  }
}
