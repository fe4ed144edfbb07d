// The cBPF group filter, run on a reference interpreter of what the kernel
// does with a classic socket filter on a netlink socket: words loaded from
// the message are big-endian, an out-of-bounds load drops the message, and
// SKF_AD_NLATTR finds an attribute like the kernel's nla_find(). Messages are
// built in the target's byte order, so on a big-endian target this checks the
// constants' conversion too.
#include <catch2/catch.hpp>

#include <linux/filter.h>

#include <vector>

#include "psample/group_filter.hpp"
#include "psample/protocol.hpp"
#include "support/psample_wire.hpp"

using namespace psample;
using wire::Bytes;

namespace {

// Returns the filter's verdict: 0 drops the message, anything else keeps it.
uint32_t run_filter(const std::vector<FilterInstruction>& program, const Bytes& packet) {
  uint32_t a = 0, x = 0;
  auto load = [&](uint32_t offset, uint32_t size, bool& ok) -> uint32_t {
    if (offset > packet.size() || size > packet.size() - offset) {
      ok = false;
      return 0;
    }
    uint32_t v = 0;
    for (uint32_t i = 0; i < size; ++i) v = v << 8 | packet[offset + i];  // network order
    return v;
  };
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const FilterInstruction& i = program[pc];
    bool ok = true;
    switch (i.code) {
      case BPF_LD | BPF_H | BPF_ABS: a = load(i.k, 2, ok); break;
      case BPF_LD | BPF_B | BPF_ABS: a = load(i.k, 1, ok); break;
      case BPF_LD | BPF_W | BPF_ABS:
        if (i.k == uint32_t(SKF_AD_OFF + SKF_AD_NLATTR)) {
          // nla_find() from offset A for type X over the rest of the packet.
          uint32_t offset = a, found = 0;
          while (offset + 4 <= packet.size()) {
            uint16_t length, type;
            std::memcpy(&length, packet.data() + offset, 2);  // nlattr fields: host order
            std::memcpy(&type, packet.data() + offset + 2, 2);
            if (length < 4 || length > packet.size() - offset) break;
            if ((type & 0x3fff) == x) {
              found = offset;
              break;
            }
            offset += (length + 3u) & ~3u;
          }
          a = found;
        } else {
          a = load(i.k, 4, ok);
        }
        break;
      case BPF_LD | BPF_W | BPF_IND: a = load(x + i.k, 4, ok); break;
      case BPF_LD | BPF_IMM: a = i.k; break;
      case BPF_LDX | BPF_IMM: x = i.k; break;
      case BPF_MISC | BPF_TAX: x = a; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += (a == i.k) ? i.jt : i.jf; break;
      case BPF_RET | BPF_K: return i.k;
      default: FAIL("instruction the reference interpreter does not know: " << i.code); return 0;
    }
    if (!ok) return 0;  // the kernel drops on an out-of-bounds load
  }
  FAIL("the program fell off its end");
  return 0;
}

Bytes sample_of(uint32_t group) {
  wire::SampleSpec spec;
  spec.group = group;
  return wire::kernel_sample(spec);
}

// build_group_filter() into a vector of the length it says.
Result<std::vector<FilterInstruction>> filter_for(uint16_t family_id, const GroupList& groups) {
  std::vector<FilterInstruction> program(group_filter_length(max_filter_groups));
  auto length = build_group_filter(family_id, groups, program.data(), program.size());
  if (!length) return length.error();
  program.resize(*length);
  return program;
}

}  // namespace

TEST_CASE("the group filter keeps exactly the chosen groups", "[bpf]") {
  auto program = filter_for(wire::test_family_id, {7, 70000, 0xfffffffe});
  REQUIRE(program);
  CHECK(run_filter(*program, sample_of(7)) != 0);
  CHECK(run_filter(*program, sample_of(70000)) != 0);
  CHECK(run_filter(*program, sample_of(0xfffffffe)) != 0);
  CHECK(run_filter(*program, sample_of(8)) == 0);
  CHECK(run_filter(*program, sample_of(0)) == 0);
  CHECK(run_filter(*program, sample_of(0x07000000)) == 0);  // 7 byte-swapped must not match
}

TEST_CASE("the group filter lets everything else through", "[bpf]") {
  auto program = filter_for(wire::test_family_id, {7});
  REQUIRE(program);
  SECTION("another family's message") { CHECK(run_filter(*program, wire::kernel_sample({}, 0x10)) != 0); }
  SECTION("the family id byte-swapped is another family") {
    CHECK(run_filter(*program, wire::kernel_sample({}, uint16_t(wire::test_family_id << 8))) != 0);
  }
  SECTION("group events") {
    const Bytes event = wire::genl_message(wire::test_family_id, 2, wire::attr(attr::sample_group, wire::u32(9)));
    CHECK(run_filter(*program, event) != 0);
  }
  SECTION("a sample without a group: the decoder reports it") {
    const Bytes no_group = wire::genl_message(wire::test_family_id, 0, wire::attr(attr::origsize, wire::u32(1)));
    CHECK(run_filter(*program, no_group) != 0);
  }
  SECTION("the whole message is kept") { CHECK(run_filter(*program, sample_of(7)) == 0xffffffffu); }
}

TEST_CASE("the group filter finds SAMPLE_GROUP wherever it is", "[bpf]") {
  auto program = filter_for(wire::test_family_id, {42});
  REQUIRE(program);
  const Bytes last =
      wire::genl_message(wire::test_family_id, 0,
                         wire::cat({wire::attr(attr::data, wire::filled(33)), wire::attr(attr::origsize, wire::u32(5)),
                                    wire::attr(0x8000 | attr::sample_group, wire::u32(42))}));
  CHECK(run_filter(*program, last) != 0);
}

TEST_CASE("group filter limits", "[bpf]") {
  CHECK_FALSE(filter_for(1, {}));
  GroupList many;
  for (size_t i = 0; i < max_filter_groups; ++i) REQUIRE(many.add(uint32_t(i)));
  auto program = filter_for(wire::test_family_id, many);
  REQUIRE(program);
  CHECK(program->size() == group_filter_length(max_filter_groups));
  CHECK(program->size() <= BPF_MAXINSNS);
  CHECK(run_filter(*program, sample_of(max_filter_groups - 1)) != 0);
  CHECK(run_filter(*program, sample_of(max_filter_groups)) == 0);

  SECTION("one more does not fit: add() says so, and the list is refused") {
    CHECK_FALSE(many.add(1));
    CHECK(many.overflowed());
    CHECK(many.size() == max_filter_groups);
    CHECK_FALSE(filter_for(1, many));
  }
  SECTION("a program buffer too small is refused") {
    FilterInstruction room[group_filter_length(1)];  // 13: one group
    auto length = build_group_filter(1, GroupList{5}, room, group_filter_length(1) - 1);
    REQUIRE_FALSE(length);
    CHECK(length.error().code() == ErrorCode::buffer_too_small);
    auto fits = build_group_filter(1, GroupList{5}, room, group_filter_length(1));
    REQUIRE(fits);
    CHECK(*fits == group_filter_length(1));
  }
}
