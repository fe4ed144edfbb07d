// Layer 1: datagram walking and NLMSG_ERROR / extended ack parsing.
#include <catch2/catch.hpp>

#include <cerrno>

#include "psample/netlink/message.hpp"
#include "support/wire.hpp"

using namespace psample;
using namespace psample::netlink;
using wire::Bytes;
using wire::view;

TEST_CASE("a dump datagram holds several messages, then DONE", "[netlink]") {
  const Bytes datagram =
      wire::cat({wire::aligned(wire::genl_message(0x1c, 2, wire::attr(3, wire::u32(1)), flag_multi, 5, 99)),
                 wire::aligned(wire::genl_message(0x1c, 2, wire::attr(3, wire::u32(2)), flag_multi, 5, 99)),
                 wire::message(message_type_done, wire::u32(0), flag_multi, 5, 99)});
  MessageReader reader(view(datagram));
  Message m;
  REQUIRE(reader.next(m));
  CHECK(m.type == 0x1c);
  CHECK(m.is_multipart());
  CHECK(m.sequence == 5);
  CHECK(m.port_id == 99);
  CHECK(genl_command(m) == 2);
  CHECK(m.bytes.size() == 28);
  REQUIRE(reader.next(m));
  CHECK(m.payload.size() == 12);
  REQUIRE(reader.next(m));
  CHECK(m.is_done());
  CHECK_FALSE(reader.next(m));
  CHECK_FALSE(reader.failed());
}

TEST_CASE("broken message headers fail the walk", "[netlink]") {
  Message m;
  SECTION("datagram ends inside the header") {
    const Bytes datagram = Bytes(10, 0);
    MessageReader reader(view(datagram));
    CHECK_FALSE(reader.next(m));
    CHECK(reader.failed());
  }
  SECTION("nlmsg_len larger than the datagram") {
    Bytes datagram = wire::message(0x1c, wire::u32(0));
    datagram[0] = 200;
    MessageReader reader(view(datagram));
    CHECK_FALSE(reader.next(m));
    CHECK(reader.failed());
  }
  SECTION("nlmsg_len smaller than the header") {
    Bytes datagram = wire::message(0x1c, wire::u32(0));
    datagram[0] = 8;
    MessageReader reader(view(datagram));
    CHECK_FALSE(reader.next(m));
    CHECK(reader.failed());
  }
  SECTION("a good message then a broken one") {
    Bytes second = wire::message(0x1c, {});
    second[0] = 64;
    const Bytes datagram = wire::cat({wire::message(0x1c, wire::u32(1)), second});
    MessageReader reader(view(datagram));
    CHECK(reader.next(m));
    CHECK_FALSE(reader.next(m));
    CHECK(reader.failed());
  }
}

TEST_CASE("an unaligned final message is accepted", "[netlink]") {
  const Bytes datagram = wire::cat({wire::message(0x1c, wire::u32(1)), wire::message(0x1c, Bytes{1, 2, 3})});
  REQUIRE(datagram.size() % 4 == 3);
  MessageReader reader(view(datagram));
  Message m;
  CHECK(reader.next(m));
  REQUIRE(reader.next(m));
  CHECK(m.payload.size() == 3);
  CHECK_FALSE(reader.next(m));
  CHECK_FALSE(reader.failed());
}

TEST_CASE("NLMSG_OVERRUN is recognised", "[netlink]") {
  const Bytes datagram = wire::message(message_type_overrun, {});
  MessageReader reader(view(datagram));
  Message m;
  REQUIRE(reader.next(m));
  CHECK(m.is_overrun());
}

TEST_CASE("NLMSG_ERROR without extended ack", "[netlink]") {
  const Bytes request = wire::genl_message(0x10, 3, {});
  const Bytes datagram = wire::message(message_type_error, wire::cat({wire::u32(uint32_t(-ENOENT)), request}));
  MessageReader reader(view(datagram));
  Message m;
  REQUIRE(reader.next(m));
  auto ack = parse_ack(m);
  REQUIRE(ack);
  CHECK(ack->error == ENOENT);
  CHECK(ack->message.empty());
  CHECK_FALSE(ack->has_offset);
  const Error error = error_from_ack(*ack, "CTRL_CMD_GETFAMILY");
  CHECK(error.code() == ErrorCode::kernel_error);
  CHECK(error.system_errno() == ENOENT);
  CHECK(std::string(error.message()).find("CTRL_CMD_GETFAMILY failed") != std::string::npos);
}

TEST_CASE("NLMSG_ERROR with extended ack, capped", "[netlink]") {
  const Bytes request_header = Bytes(16, 0);
  const Bytes tlvs = wire::cat({wire::attr(1, wire::str("Unknown device type")), wire::attr(2, wire::u32(36))});
  const Bytes datagram =
      wire::message(message_type_error, wire::cat({wire::u32(uint32_t(-EOPNOTSUPP)), request_header, tlvs}),
                    flag_capped | flag_ack_tlvs);
  MessageReader reader(view(datagram));
  Message m;
  REQUIRE(reader.next(m));
  auto ack = parse_ack(m);
  REQUIRE(ack);
  CHECK(ack->error == EOPNOTSUPP);
  CHECK(ack->message == "Unknown device type");
  CHECK(ack->has_offset);
  CHECK(ack->offset == 36);
  const Error error = error_from_ack(*ack, "RTM_NEWLINK");
  CHECK(std::string(error.kernel_message()) == "Unknown device type");
  CHECK(std::string(error.message()).find("Unknown device type") != std::string::npos);
}

TEST_CASE("NLMSG_ERROR with extended ack after the whole echoed request", "[netlink]") {
  const Bytes request = wire::genl_message(0x10, 3, wire::attr(2, wire::str("psample")));
  const Bytes tlvs = wire::attr(1, wire::str("bad attribute"));
  const Bytes datagram =
      wire::message(message_type_error, wire::cat({wire::u32(uint32_t(-EINVAL)), request, tlvs}), flag_ack_tlvs);
  MessageReader reader(view(datagram));
  Message m;
  REQUIRE(reader.next(m));
  auto ack = parse_ack(m);
  REQUIRE(ack);
  CHECK(ack->error == EINVAL);
  CHECK(ack->message == "bad attribute");
}

TEST_CASE("NLMSG_ERROR that is an ACK, and broken ones", "[netlink]") {
  Message m;
  SECTION("ACK") {
    const Bytes datagram = wire::message(message_type_error, wire::cat({wire::u32(0), Bytes(16, 0)}));
    MessageReader reader(view(datagram));
    REQUIRE(reader.next(m));
    auto ack = parse_ack(m);
    REQUIRE(ack);
    CHECK(ack->error == 0);
  }
  SECTION("payload shorter than struct nlmsgerr") {
    const Bytes datagram = wire::message(message_type_error, wire::u32(uint32_t(-EINVAL)));
    MessageReader reader(view(datagram));
    REQUIRE(reader.next(m));
    auto ack = parse_ack(m);
    REQUIRE_FALSE(ack);
    CHECK(ack.error().code() == ErrorCode::malformed);
  }
  SECTION("echoed request length past the end") {
    Bytes echoed(16, 0);
    echoed[0] = 200;
    const Bytes datagram =
        wire::message(message_type_error, wire::cat({wire::u32(uint32_t(-EINVAL)), echoed}), flag_ack_tlvs);
    MessageReader reader(view(datagram));
    REQUIRE(reader.next(m));
    auto ack = parse_ack(m);
    REQUIRE_FALSE(ack);
    CHECK(ack.error().code() == ErrorCode::malformed);
  }
  SECTION("not an error message") {
    const Bytes datagram = wire::message(0x1c, Bytes(20, 0));
    MessageReader reader(view(datagram));
    REQUIRE(reader.next(m));
    CHECK_FALSE(parse_ack(m));
  }
}

TEST_CASE("error codes that cannot be negated do not overflow", "[netlink]") {
  // Found by fuzz-datagram (test/data/regress/datagram/nlmsgerr-int32-min-error-code).
  CHECK(errno_from_kernel(-ENOENT) == ENOENT);
  CHECK(errno_from_kernel(0) == 0);
  CHECK(errno_from_kernel(INT32_MIN) == INT32_MAX);
  CHECK(errno_from_kernel(EINVAL) == EINVAL);
}
