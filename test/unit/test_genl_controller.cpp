// Layer 1: parsing controller (GETFAMILY) replies.
#include <catch2/catch.hpp>

#include "psample/netlink/genl_controller.hpp"
#include "support/wire.hpp"

using namespace psample;
using namespace psample::netlink;
using wire::Bytes;

namespace {
Bytes group_entry(uint16_t index, uint32_t id, const std::string& name) {
  return wire::attr(index, wire::cat({wire::attr(2, wire::u32(id)), wire::attr(1, wire::str(name))}));
}

Bytes family_reply(const Bytes& extra_groups = {}) {
  const Bytes groups = wire::cat({group_entry(1, 0x21, "config"), group_entry(2, 0x22, "packets"), extra_groups});
  return wire::genl_message(
      0x10, 1,
      wire::cat({wire::attr(2, wire::str("psample")), wire::attr(1, wire::u16(0x1c)), wire::attr(3, wire::u32(1)),
                 wire::attr(4, wire::u32(0)), wire::attr(5, wire::u32(16)), wire::attr(6, Bytes(8, 0)),
                 wire::attr(7, groups)}));
}
}  // namespace

TEST_CASE("GETFAMILY reply gives id, version, sizes and groups", "[controller]") {
  const Bytes reply = family_reply();
  auto family = parse_family(ByteView(reply.data(), reply.size()));
  REQUIRE(family);
  CHECK(family->id == 0x1c);
  CHECK(std::string(family->name) == "psample");
  CHECK(family->version == 1);
  CHECK(family->header_size == 0);
  CHECK(family->max_attribute == 16);
  REQUIRE(family->group_count == 2);
  CHECK(family->find_group("packets") == 0x22u);
  CHECK(family->find_group("config") == 0x21u);
  CHECK_FALSE(family->find_group("nope"));
}

TEST_CASE("group ids above 31 are kept whole", "[controller]") {
  const Bytes reply = family_reply(group_entry(3, 4242, "big"));
  auto family = parse_family(ByteView(reply.data(), reply.size()));
  REQUIRE(family);
  CHECK(family->find_group("big") == 4242u);
}

TEST_CASE("bad controller replies are malformed errors", "[controller]") {
  SECTION("no family id") {
    const Bytes reply = wire::genl_message(0x10, 1, wire::attr(2, wire::str("psample")));
    auto family = parse_family(ByteView(reply.data(), reply.size()));
    REQUIRE_FALSE(family);
    CHECK(family.error().code() == ErrorCode::malformed);
  }
  SECTION("family id of the wrong width") {
    const Bytes reply = wire::genl_message(0x10, 1, wire::attr(1, wire::u32(0x1c)));
    CHECK_FALSE(parse_family(ByteView(reply.data(), reply.size())));
  }
  SECTION("group name longer than GENL_NAMSIZ") {
    const Bytes reply = family_reply(group_entry(3, 1, "a-name-longer-than-16"));
    CHECK_FALSE(parse_family(ByteView(reply.data(), reply.size())));
  }
  SECTION("group entry without an id") {
    const Bytes reply = family_reply(wire::attr(3, wire::attr(1, wire::str("x"))));
    CHECK_FALSE(parse_family(ByteView(reply.data(), reply.size())));
  }
  SECTION("not a controller message") {
    const Bytes reply = wire::genl_message(0x1c, 1, wire::attr(1, wire::u16(0x1c)));
    CHECK_FALSE(parse_family(ByteView(reply.data(), reply.size())));
  }
  SECTION("truncated") {
    const Bytes reply = family_reply();
    auto family = parse_family(ByteView(reply.data(), 30));
    REQUIRE_FALSE(family);
    CHECK(family.error().code() == ErrorCode::malformed);
  }
}
