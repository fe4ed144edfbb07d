// Layer 1: the request builder, checked byte for byte.
#include <catch2/catch.hpp>

#include "psample/netlink/attribute.hpp"
#include "psample/netlink/message.hpp"
#include "psample/netlink/request_builder.hpp"
#include "support/wire.hpp"

using namespace psample;
using namespace psample::netlink;
using wire::Bytes;

TEST_CASE("a GETFAMILY request is laid out exactly as the kernel expects", "[netlink]") {
  uint8_t buffer[64];
  std::memset(buffer, 0x5A, sizeof buffer);  // garbage: padding must come out zeroed
  RequestBuilder b(MutableByteView(buffer, sizeof buffer));
  b.begin(0x10, flag_request, 7);
  b.put_genl_header(3, 1);
  b.put_string(2, "psample");
  auto request = b.finish();
  REQUIRE(request);
  // Netlink integers are in the host's byte order.
  const Bytes expected = wire::cat({
      wire::u32(32), wire::u16(0x10), wire::u16(1), wire::u32(7), wire::u32(0),  // nlmsghdr: REQUEST, seq 7
      Bytes{3, 1, 0, 0},                                                         // genlmsghdr: cmd 3, version 1
      wire::u16(12), wire::u16(2), Bytes{'p', 's', 'a', 'm', 'p', 'l', 'e', 0},  // CTRL_ATTR_FAMILY_NAME
  });
  CHECK(Bytes(request->begin(), request->end()) == expected);
}

TEST_CASE("nested attributes get their length and NLA_F_NESTED", "[netlink]") {
  uint8_t buffer[128];
  RequestBuilder b(MutableByteView(buffer, sizeof buffer));
  b.begin(16, flag_request | flag_ack, 1);
  const uint8_t family_header[16] = {};
  b.put_family_header(ByteView(family_header, sizeof family_header));
  const size_t outer = b.begin_nested(18);
  b.put_string(1, "veth");
  const size_t inner = b.begin_nested(2);
  b.put_u8(9, 1);
  b.put_u16(10, 0x1234);
  b.put_u64(11, 42);
  b.put_flag(12);
  b.end_nested(inner);
  b.end_nested(outer);
  auto request = b.finish();
  REQUIRE(request);

  MessageReader messages(*request);
  Message m;
  REQUIRE(messages.next(m));
  CHECK(m.bytes.size() == request->size());
  AttributeReader top(m.payload.subview(16));
  Attribute a;
  REQUIRE(top.next(a));
  CHECK(a.type() == 18);
  CHECK(a.has_nested_flag());
  AttributeReader level1 = a.nested();
  REQUIRE(level1.next(a));
  CHECK(a.as_string() == std::string_view("veth"));
  REQUIRE(level1.next(a));
  CHECK(a.type() == 2);
  AttributeReader level2 = a.nested();
  REQUIRE(level2.next(a));
  CHECK(a.as_u8() == 1);
  REQUIRE(level2.next(a));
  CHECK(a.as_u16() == 0x1234);
  REQUIRE(level2.next(a));
  CHECK(a.as_u64() == 42u);
  REQUIRE(level2.next(a));
  CHECK(a.is_flag());
  CHECK_FALSE(level2.next(a));
  CHECK_FALSE(level1.next(a));
  CHECK_FALSE(top.next(a));
  CHECK_FALSE(top.failed());
}

TEST_CASE("a full buffer makes finish() fail with buffer_too_small", "[netlink]") {
  uint8_t buffer[24];
  RequestBuilder b(MutableByteView(buffer, sizeof buffer));
  b.begin(0x10, flag_request, 1);
  b.put_genl_header(3, 1);
  b.put_string(2, "a-long-family-name");
  CHECK(b.overflowed());
  auto request = b.finish();
  REQUIRE_FALSE(request);
  CHECK(request.error().code() == ErrorCode::buffer_too_small);
}
