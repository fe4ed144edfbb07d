// Layer 1: the attribute walker on crafted bytes.
#include <catch2/catch.hpp>

#include "psample/netlink/attribute.hpp"
#include "support/wire.hpp"

using namespace psample;
using namespace psample::netlink;
using wire::Bytes;
using wire::view;

namespace {

std::vector<uint16_t> types_of(const Bytes& b, bool* failed = nullptr) {
  std::vector<uint16_t> types;
  AttributeReader reader(view(b));
  Attribute a;
  while (reader.next(a)) types.push_back(a.type());
  if (failed) *failed = reader.failed();
  return types;
}
}  // namespace

TEST_CASE("attribute walk yields each attribute with its exact payload", "[netlink]") {
  const Bytes bytes =
      wire::cat({wire::attr(1, wire::u32(0xdeadbeef)), wire::attr(2, wire::filled(5)), wire::attr(3, {})});
  AttributeReader reader(view(bytes));
  Attribute a;
  REQUIRE(reader.next(a));
  CHECK(a.type() == 1);
  CHECK(a.as_u32() == 0xdeadbeefu);
  CHECK(a.offset() == 0);
  REQUIRE(reader.next(a));
  CHECK(a.type() == 2);
  CHECK(a.payload().size() == 5);  // padding excluded
  CHECK(a.offset() == 8);
  REQUIRE(reader.next(a));
  CHECK(a.type() == 3);
  CHECK(a.is_flag());
  CHECK_FALSE(reader.next(a));
  CHECK_FALSE(reader.failed());
}

TEST_CASE("attribute type masks NLA_F_NESTED and NLA_F_NET_BYTEORDER", "[netlink]") {
  const Bytes bytes = wire::cat({wire::attr(0x8000 | 5, {}), wire::attr(0x4000 | 6, wire::be16(80))});
  AttributeReader reader(view(bytes));
  Attribute a;
  REQUIRE(reader.next(a));
  CHECK(a.type() == 5);
  CHECK(a.has_nested_flag());
  CHECK_FALSE(a.has_net_byteorder_flag());
  REQUIRE(reader.next(a));
  CHECK(a.type() == 6);
  CHECK(a.has_net_byteorder_flag());
}

TEST_CASE("nested attributes are walked within their parent", "[netlink]") {
  const Bytes inner = wire::cat({wire::attr(1, wire::u16(7)), wire::attr(2, wire::str("x"))});
  const Bytes bytes = wire::cat({wire::attr(0x8000 | 9, inner), wire::attr(10, wire::u8(1))});
  AttributeReader reader(view(bytes));
  Attribute outer;
  REQUIRE(reader.next(outer));
  AttributeReader nested = outer.nested();
  Attribute a;
  REQUIRE(nested.next(a));
  CHECK(a.as_u16() == 7);
  REQUIRE(nested.next(a));
  CHECK(a.as_string() == std::string_view("x"));
  CHECK_FALSE(nested.next(a));
  CHECK_FALSE(nested.failed());
  REQUIRE(reader.next(a));
  CHECK(a.type() == 10);
}

TEST_CASE("bad attribute lengths stop the walk as failures", "[netlink]") {
  bool failed = false;
  SECTION("nla_len below 4") {
    const Bytes bytes = wire::cat({wire::attr(1, wire::u32(1)), wire::attr_with_length(2, 3, wire::u32(0))});
    CHECK(types_of(bytes, &failed) == std::vector<uint16_t>{1});
    CHECK(failed);
  }
  SECTION("nla_len zero cannot loop forever") {
    const Bytes bytes = wire::attr_with_length(2, 0, wire::u32(0));
    CHECK(types_of(bytes, &failed).empty());
    CHECK(failed);
  }
  SECTION("nla_len past the end") {
    const Bytes bytes = wire::attr_with_length(2, 12, wire::u32(0));
    CHECK(types_of(bytes, &failed).empty());
    CHECK(failed);
  }
  SECTION("trailing bytes shorter than a header") {
    const Bytes bytes = wire::cat({wire::attr(1, wire::u32(1)), Bytes{1, 2}});
    CHECK(types_of(bytes, &failed) == std::vector<uint16_t>{1});
    CHECK(failed);
  }
  SECTION("nested attribute overflowing its parent") {
    // Parent says 12 bytes; the child inside claims 16.
    const Bytes parent = wire::cat({wire::u16(12), wire::u16(0x8000 | 4), wire::attr_with_length(1, 16, wire::u32(0))});
    AttributeReader reader(view(parent));
    Attribute outer;
    REQUIRE(reader.next(outer));
    AttributeReader nested = outer.nested();
    Attribute a;
    CHECK_FALSE(nested.next(a));
    CHECK(nested.failed());
    CHECK(std::string(nested.failure()).find("past the end") != std::string::npos);
  }
}

TEST_CASE("a final attribute without its padding is accepted", "[netlink]") {
  Bytes bytes = wire::attr(1, wire::filled(5));
  bytes.resize(9);  // nla_len 9, no pad bytes after it
  bool failed = true;
  CHECK(types_of(bytes, &failed) == std::vector<uint16_t>{1});
  CHECK_FALSE(failed);
}

TEST_CASE("typed accessors demand the exact width", "[netlink]") {
  const Bytes bytes = wire::cat({wire::attr(1, wire::filled(3)), wire::attr(2, wire::u64(0x0102030405060708ull)),
                                 wire::attr(3, Bytes{'a', 'b'}), wire::attr(4, wire::u8(9))});
  AttributeReader reader(view(bytes));
  Attribute a;
  REQUIRE(reader.next(a));
  CHECK_FALSE(a.as_u16());
  CHECK_FALSE(a.as_u32());
  CHECK_FALSE(a.is_flag());
  REQUIRE(reader.next(a));
  CHECK(a.as_u64() == 0x0102030405060708ull);
  CHECK_FALSE(a.as_u32());
  REQUIRE(reader.next(a));
  CHECK_FALSE(a.as_string());  // no NUL: not a string
  REQUIRE(reader.next(a));
  CHECK(a.as_u8() == 9);
  CHECK_FALSE(a.as_u16());
}

TEST_CASE("u64 reads are safe at every alignment", "[netlink]") {
  const Bytes one = wire::attr(1, wire::u64(0x1122334455667788ull));
  for (size_t offset = 0; offset < 8; ++offset) {
    Bytes buffer(offset, 0xAB);
    buffer.insert(buffer.end(), one.begin(), one.end());
    AttributeReader reader(ByteView(buffer.data() + offset, one.size()));
    Attribute a;
    REQUIRE(reader.next(a));
    CHECK(a.as_u64() == 0x1122334455667788ull);
  }
}
