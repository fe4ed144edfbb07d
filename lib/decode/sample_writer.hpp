// psample-cpp layer 2, internal: the writer of PacketView's fields.
//
// psample::decode() (lib/decode/decode.cpp) is split in two so that the
// common case costs about what a hand-written switch does:
// - SampleWriter::scan(): a leaf (no calls). It walks the attributes with
//   sample_ops (generated from sample_attributes at compile time), fills the
//   view, checks every bound and width, and on the first fault stops with a
//   compact (fault, offset) pair instead of building an error.
// - finish(): cold, called only when scan() stopped on a fault or saw a
//   TUNNEL; it validates the tunnel key(s) and turns the fault into the Error
//   the caller sees, reading the attribute's type and width back from the
//   message and its expected width from the table.
#pragma once

#include <cstddef>
#include <cstdint>

#include "psample/bytes.hpp"
#include "psample/packet_view.hpp"
#include "psample/protocol.hpp"

namespace psample::detail {

constexpr uint32_t sample_headers_size = 20;     // nlmsghdr + genlmsghdr
constexpr uint32_t sample_command_offset = 16;   // genlmsghdr.cmd
constexpr uint32_t sample_attribute_header = 4;  // struct nlattr

// How scan() reads one sample attribute: sample_attributes turned into what
// the hot loop switches on.
enum class Load : uint8_t { invalid, u8, u16, u32, u64, u16_or_u32, span, exact_span, flag };
struct SampleOp {
  Load load = Load::invalid;
  uint8_t slot = 0;        // where the value goes (AttributeSpec::slot())
  uint16_t max_width = 0;  // span: the widest accepted; exact_span: the width
};

constexpr SampleOp sample_op(const AttributeSpec& spec) noexcept {
  SampleOp op;
  op.slot = static_cast<uint8_t>(spec.slot());
  switch (spec.width) {
    case Width::exact:
      op.load = spec.size == 1   ? Load::u8
                : spec.size == 2 ? Load::u16
                : spec.size == 4 ? Load::u32
                : spec.size == 8 ? Load::u64
                                 : Load::exact_span;
      op.max_width = spec.size;
      break;
    case Width::either:
      if (spec.size == 2 && spec.other == 4) op.load = Load::u16_or_u32;
      break;
    case Width::at_most:
      op.load = Load::span;
      op.max_width = spec.size;
      break;
    case Width::any:
    case Width::nested:
      op.load = Load::span;
      op.max_width = 0xffff;
      break;
    case Width::flag: op.load = Load::flag; break;
    case Width::string: break;  // psample sends no strings: invalid, so sample_ops_valid() fails if one is added
  }
  return op;
}

struct SampleOps {
  SampleOp op[attr::count];
};
constexpr SampleOps make_sample_ops() noexcept {
  SampleOps ops{};
  for (uint16_t a = 0; a < attr::count; ++a) ops.op[a] = sample_op(sample_attributes[a]);
  return ops;
}
inline constexpr SampleOps sample_ops = make_sample_ops();

constexpr bool sample_ops_valid() noexcept {
  for (uint16_t a = 0; a < attr::count; ++a) {
    const SampleOp op = sample_ops.op[a];
    if (op.load == Load::invalid) return false;  // a width rule scan() cannot read (either other than 2|4)
    // A slot holds bytes exactly when the table says bytes (SampleFields::is_bytes).
    const bool span = op.load == Load::span || op.load == Load::exact_span;
    const Width slot_width = sample_attributes[op.slot].width;
    const bool slot_bytes = slot_width == Width::any || slot_width == Width::nested || slot_width == Width::at_most;
    if (span != slot_bytes) return false;
  }
  return true;
}
static_assert(sample_ops_valid(), "sample_attributes has a row scan() cannot read");

// Why scan() stopped. `offset` is the byte the fault is at (the attribute's
// header for attribute faults).
enum class SampleFault : uint32_t {
  none = 0,
  shorter_than_headers,  // offset: the message size
  length_below_headers,  // nlmsg_len < 20
  length_past_end,       // nlmsg_len > the bytes given
  not_a_sample,          // genlmsghdr.cmd != SAMPLE
  attribute_past_end,    // nla_len < 4, or runs past nlmsg_len
  attribute_width,       // a known attribute of impossible width
  trailing_bytes,        // 1-3 bytes after the last attribute
  tunnel_to_validate,    // no fault, but a TUNNEL to check (offset: nlmsg_len)
};

struct SampleScan {
  SampleFault fault;
  uint32_t offset;
};

struct SampleWriter {
  // Fills `view` from the attributes of `message`, whose headers are known
  // good: its first `total` bytes are the message (nlmsg_len). In decode.cpp.
  static SampleScan scan(PacketView& view, const uint8_t* message, uint32_t total) noexcept;
  static void set_sender_port(PacketView& view, uint32_t port) noexcept { view.sender_port_ = port; }
};

}  // namespace psample::detail
