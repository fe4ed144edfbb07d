// Layer 1: attribute rules as data (attribute_rules.hpp), the framing faults
// every walk shares.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "psample/decode.hpp"
#include "psample/netlink/attribute.hpp"
#include "support/psample_wire.hpp"

using namespace psample;
using namespace psample::netlink;
using wire::Bytes;
using wire::view;

namespace {

ByteView text(const char* s, size_t n) { return ByteView(reinterpret_cast<const uint8_t*>(s), n); }

}  // namespace

TEST_CASE("rules: a NUL-terminated string with a maximum length", "[netlink]") {
  constexpr AttributeSpec name{3, "SYMBOL", Width::string, 7};
  CHECK(name.accepts(text("kfree\0", 6)));
  CHECK(name.accepts(text("1234567\0", 8)));         // 7 characters and the NUL
  CHECK_FALSE(name.accepts(text("12345678\0", 9)));  // one too long
  CHECK_FALSE(name.accepts(text("kfree", 5)));       // no NUL at the end
  CHECK_FALSE(name.accepts(text("", 0)));            // not even the NUL
  constexpr AttributeSpec unlimited{4, "REASON", Width::string};
  CHECK(unlimited.accepts(text("NOT_SPECIFIED\0", 14)));
  CHECK_FALSE(unlimited.accepts(text("x", 1)));
  // The other rules, as the decoder has always read them.
  constexpr AttributeSpec u16_or_u32{0, "IIFINDEX", Width::either, 2, 4};
  CHECK(u16_or_u32.accepts(size_t(2)));
  CHECK(u16_or_u32.accepts(size_t(4)));
  CHECK_FALSE(u16_or_u32.accepts(size_t(3)));
  static_assert(AttributeSpec{1, "F", Width::flag}.accepts(size_t(0)), "a flag is empty");
  static_assert(!AttributeSpec{1, "C", Width::at_most, 16}.accepts(size_t(17)), "at most 16");
}

TEST_CASE("rules: what each rule expects, as error text", "[netlink]") {
  char out[64];
  CHECK(std::string(describe_width({1, "A", Width::exact, 4}, out)) == "4");
  CHECK(std::string(describe_width({1, "A", Width::either, 2, 4}, out)) == "2 or 4");
  CHECK(std::string(describe_width({1, "A", Width::at_most, 16}, out)) == "at most 16");
  CHECK(std::string(describe_width({1, "A", Width::flag}, out)) == "0 (a flag)");
  CHECK(std::string(describe_width({1, "A", Width::string, 15}, out)) ==
        "a NUL-terminated string of at most 15 characters");
  CHECK(std::string(describe_width({1, "A", Width::string}, out)) == "a NUL-terminated string");
  CHECK(std::string(describe_width({1, "A", Width::any}, out)) == "any");
}

TEST_CASE("rules: the attribute walker and the sample decoder name a fault alike", "[netlink]") {
  // An attribute whose length runs past its container, and one shorter than
  // its own header: the same words from AttributeReader and from decode().
  const struct {
    Bytes attribute;
    AttributeFault fault;
  } cases[] = {{wire::attr_with_length(attr::data, 40, wire::u32(0)), AttributeFault::past_end},
               {wire::attr_with_length(attr::origsize, 2, wire::u32(0)), AttributeFault::length_below_header},
               {Bytes{0, 0}, AttributeFault::trailing_bytes}};
  for (const auto& c : cases) {
    const Bytes attributes = wire::cat({wire::attr(attr::sample_group, wire::u32(1)), c.attribute});
    AttributeReader reader(view(attributes));
    Attribute a;
    while (reader.next(a)) {
    }
    REQUIRE(reader.fault() == c.fault);
    const Bytes message = wire::genl_message(wire::test_family_id, 0, attributes);
    const auto decoded = decode(view(message));
    REQUIRE_FALSE(decoded);
    INFO(decoded.error().message());
    CHECK(std::string(decoded.error().message()).find(fault_text(c.fault)) != std::string::npos);
    CHECK(std::string(reader.failure()) == fault_text(c.fault));
  }
}
