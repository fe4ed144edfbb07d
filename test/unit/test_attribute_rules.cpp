// Layer 1: attribute rules as data (attribute_rules.hpp), the framing faults
// every walk shares, and naming the attribute an extended ack points at.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "psample/decode.hpp"
#include "psample/netlink/attribute.hpp"
#include "psample/netlink/genl_controller.hpp"
#include "psample/netlink/message.hpp"
#include "psample/netlink/request_builder.hpp"
#include "psample/netlink/request_layout.hpp"
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

TEST_CASE("an extended ack's offset names the request's attribute", "[netlink]") {
  uint8_t buffer[128];
  RequestBuilder builder(MutableByteView(buffer, sizeof buffer));
  builder.begin(genl_controller_id, flag_request, 1);
  builder.put_genl_header(ctrl::cmd_getfamily, 1);
  builder.put_u32(ctrl::attr_family_id, 7);                           // at byte 20
  builder.put_string(ctrl::attr_family_name, "psample");              // at byte 28
  const size_t nest = builder.begin_nested(ctrl::attr_mcast_groups);  // at byte 40
  const size_t inner = builder.begin_nested(1);                       // at byte 44
  builder.put_u32(ctrl::attr_mcast_grp_id, 3);                        // at byte 48
  builder.end_nested(inner);
  builder.end_nested(nest);
  auto request = builder.finish();
  REQUIRE(request);
  RequestLayout layout;
  layout.attribute_name = ctrl::attribute_name;
  KernelAck ack;
  ack.error = 22;
  ack.message = "Attribute failed policy validation";
  ack.has_offset = true;
  const auto named = [&](ByteView bytes, const RequestLayout& l) {
    return std::string(name_request_attribute(error_from_ack(ack, "CTRL_CMD_GETFAMILY"), bytes, l).message());
  };
  const auto where = [&](uint32_t offset, const RequestLayout& l) {
    ack.offset = offset;
    const std::string text = named(*request, l);
    const size_t at = text.find(" (the kernel points at ");
    return at == std::string::npos ? std::string() : text.substr(at);
  };
  ack.offset = 28;
  const Error error = name_request_attribute(error_from_ack(ack, "CTRL_CMD_GETFAMILY"), *request, layout);
  CHECK(std::string(error.message()) ==
        "CTRL_CMD_GETFAMILY failed: Invalid argument: Attribute failed policy validation (the kernel points at "
        "attribute FAMILY_NAME (2))");
  CHECK(std::string(error.kernel_message()) == "Attribute failed policy validation");  // kept
  CHECK(error.kernel_offset() == 28);
  CHECK(error.system_errno() == 22);
  char out[96];
  CHECK(describe_request_offset(*request, 28, layout, out));
  CHECK(std::string(out) == "attribute FAMILY_NAME (2)");
  CHECK_FALSE(describe_request_offset(*request, 30, layout, out));
  CHECK(std::string(out).empty());
  CHECK(where(40, layout) == " (the kernel points at attribute MCAST_GROUPS (7))");
  CHECK(where(48, layout) == " (the kernel points at attribute MCAST_GROUPS (7) > 1 > 2)");
  CHECK(where(20, RequestLayout()) == " (the kernel points at attribute 1)");  // no names given: the number
  CHECK(where(30, layout).empty());   // inside a string: no attribute starts there
  CHECK(where(4, layout).empty());    // in the headers
  CHECK(where(999, layout).empty());  // past the end
  // A request whose family header is longer (rtnetlink's tcmsg: 20 bytes):
  // its attributes start at byte 36.
  const Bytes tc_request = wire::message(
      44, wire::cat({wire::filled(20), wire::attr(1, wire::str("basic")),
                     wire::attr(2, wire::cat({wire::attr(1, wire::u32(7)), wire::attr(3, wire::u32(0))}))}));
  RequestLayout tc;
  tc.family_header_size = 20;
  const auto tc_where = [&](uint32_t offset, const RequestLayout& l) {
    ack.offset = offset;
    return named(view(tc_request), l);
  };
  // KIND "basic" at 36 (10 bytes, padded to 12), OPTIONS at 48 holding 1 at 52 and 3 at 60.
  CHECK(tc_where(60, tc).find(" (the kernel points at attribute 2 > 3)") != std::string::npos);
  CHECK(tc_where(36, tc).find(" (the kernel points at attribute 1)") != std::string::npos);
  CHECK(tc_where(60, RequestLayout()).find("points at") == std::string::npos);  // the wrong header size: no match
  // error_from_ack alone names nothing; without an offset there is nothing to name.
  ack.offset = 28;
  CHECK(std::string(error_from_ack(ack, "X").message()).find("points at") == std::string::npos);
  ack.has_offset = false;
  CHECK(error_from_ack(ack, "X").kernel_offset() == 0);
  CHECK(where(28, layout).empty());
  // Names: every CTRL_ATTR_* in number order; nothing past the last.
  CHECK(std::string(ctrl::attribute_name(0)) == "UNSPEC");
  CHECK(std::string(ctrl::attribute_name(ctrl::attr_family_name)) == "FAMILY_NAME");
  CHECK(std::string(ctrl::attribute_name(ctrl::attr_mcast_groups)) == "MCAST_GROUPS");
  CHECK(std::string(ctrl::attribute_name(10)) == "OP");
  CHECK(ctrl::attribute_name(11) == nullptr);
  CHECK(ctrl::attribute_name(0xffff) == nullptr);
}
