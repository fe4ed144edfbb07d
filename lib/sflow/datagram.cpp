// psample-cpp-sflow: the sFlow v5 datagram writer (see datagram.hpp).
#include "psample/sflow/datagram.hpp"

#include <cstring>
#include <initializer_list>

namespace psample::sflow {

namespace {

constexpr size_t pad4(size_t n) { return (n + 3) & ~size_t(3); }
constexpr size_t flow_sample_fixed = 8 + 44;  // type, length; the expanded flow sample's fields
constexpr size_t raw_header_fixed = 8 + 16;   // format, length; protocol, frame_length, stripped, header length
constexpr size_t u32_extension = 8 + 4;       // format, length, value
constexpr size_t counters_sample_size = 8 + 16 + 8 + 88;  // sample, its fields, record header, generic counters

constexpr size_t discard_fixed = 8 + 32;   // type, length; seq, source class/index, drops, in, out, reason, records
constexpr size_t max_function_bytes = 64;  // the function record's symbol<64>

size_t string_record_size(std::string_view text) { return text.empty() ? 0 : 8 + 4 + pad4(text.size()); }
std::string_view function_text(std::string_view symbol) { return symbol.substr(0, max_function_bytes); }
bool has_trap(const DiscardSample& s) { return !s.trap_group.empty() || !s.trap_name.empty(); }
bool has_header(const DiscardSample& s) { return !s.header.empty() || s.frame_length != 0; }

size_t extensions_size(const FlowSample& s) {
  return size_t(s.has_egress_queue) * u32_extension + size_t(s.has_queue_depth) * u32_extension +
         size_t(s.has_transit_delay) * u32_extension;
}

}  // namespace

size_t flow_sample_size(const FlowSample& sample, size_t header_length) noexcept {
  return flow_sample_fixed + raw_header_fixed + pad4(header_length) + extensions_size(sample);
}

size_t discard_sample_size(const DiscardSample& s, size_t header_length) noexcept {
  return discard_fixed + (has_header(s) ? raw_header_fixed + pad4(header_length) : 0) +
         string_record_size(function_text(s.function)) +
         (has_trap(s) ? 8 + 8 + pad4(s.trap_group.size()) + pad4(s.trap_name.size()) : 0) +
         string_record_size(s.linux_reason);
}

void DatagramWriter::u32(uint32_t value) noexcept {
  uint8_t* p = buffer_.data() + used_;
  p[0] = uint8_t(value >> 24);
  p[1] = uint8_t(value >> 16);
  p[2] = uint8_t(value >> 8);
  p[3] = uint8_t(value);
  used_ += 4;
}

void DatagramWriter::u64(uint64_t value) noexcept {
  u32(uint32_t(value >> 32));
  u32(uint32_t(value));
}

void DatagramWriter::opaque(ByteView bytes) noexcept {
  u32(uint32_t(bytes.size()));
  if (!bytes.empty()) std::memcpy(buffer_.data() + used_, bytes.data(), bytes.size());
  std::memset(buffer_.data() + used_ + bytes.size(), 0, pad4(bytes.size()) - bytes.size());
  used_ += pad4(bytes.size());
}

void DatagramWriter::begin(const DatagramHeader& header) noexcept {
  used_ = 0;
  samples_ = 0;
  const size_t need = 7 * 4 + (header.agent.ipv6 ? 16 : 4) - 4;
  if (buffer_.size() < need) return;  // finish() then gives nothing
  u32(5);                             // version
  u32(header.agent.ipv6 ? 2 : 1);
  std::memcpy(buffer_.data() + used_, header.agent.bytes, header.agent.ipv6 ? 16 : 4);
  used_ += header.agent.ipv6 ? 16 : 4;
  u32(header.sub_agent_id);
  u32(header.sequence);
  u32(header.uptime_ms);
  count_at_ = used_;
  u32(0);  // number of samples, set by finish()
}

template <class SizeOf>
bool DatagramWriter::fit(size_t& header_length, SizeOf size) noexcept {
  if (count_at_ == 0) return false;
  if (used_ + size(header_length) <= buffer_.size()) return true;
  if (samples_ != 0) return false;  // the next datagram takes it whole
  const size_t room = buffer_.size() - used_;
  const size_t fixed = size(0);
  if (room < fixed) return false;
  header_length = (room - fixed) & ~size_t(3);  // clip the header bytes, never the sample
  ++clipped_;
  return true;
}

void DatagramWriter::raw_header(uint32_t protocol, uint32_t frame_length, uint32_t stripped, ByteView header) noexcept {
  u32(format::raw_packet_header);
  u32(uint32_t(16 + pad4(header.size())));
  u32(protocol);
  u32(frame_length);
  u32(stripped);
  opaque(header);
}

bool DatagramWriter::add_flow_sample(const FlowSample& s) noexcept {
  size_t header_length = s.header.size();
  if (!fit(header_length, [&](size_t length) { return flow_sample_size(s, length); })) return false;
  const uint32_t records =
      1u + uint32_t(s.has_egress_queue) + uint32_t(s.has_queue_depth) + uint32_t(s.has_transit_delay);
  u32(format::flow_sample_expanded);
  u32(uint32_t(flow_sample_size(s, header_length) - 8));
  u32(s.sequence);
  u32(0);  // source_id_type: ifIndex
  u32(s.source_index);
  u32(s.sampling_rate);
  u32(s.sample_pool);
  u32(s.drops);
  u32(0);  // input: a single interface
  u32(s.input);
  u32(0);  // output: a single interface
  u32(s.output);
  u32(records);
  raw_header(s.header_protocol, s.frame_length, s.stripped, ByteView(s.header.data(), header_length));
  const struct {
    bool present;
    uint32_t format;
    uint32_t value;
  } extensions[] = {{s.has_egress_queue, format::egress_queue, s.egress_queue},
                    {s.has_queue_depth, format::queue_depth, s.queue_depth},
                    {s.has_transit_delay, format::transit_delay, s.transit_delay_ns}};
  for (const auto& e : extensions) {
    if (!e.present) continue;
    u32(e.format);
    u32(4);
    u32(e.value);
  }
  ++samples_;
  return true;
}

bool DatagramWriter::add_discard(const DiscardSample& s) noexcept {
  size_t header_length = s.header.size();
  if (!fit(header_length, [&](size_t length) { return discard_sample_size(s, length); })) return false;
  const std::string_view function = function_text(s.function);
  auto text = [](std::string_view t) { return ByteView(reinterpret_cast<const uint8_t*>(t.data()), t.size()); };
  const uint32_t records =
      uint32_t(has_header(s)) + uint32_t(!function.empty()) + uint32_t(has_trap(s)) + uint32_t(!s.linux_reason.empty());
  u32(format::discarded_packet);
  u32(uint32_t(discard_sample_size(s, header_length) - 8));
  u32(s.sequence);
  u32(s.source_class);
  u32(s.source_index);
  u32(s.drops);
  u32(s.input);
  u32(s.output);
  u32(s.reason);
  u32(records);
  if (has_header(s))
    raw_header(s.header_protocol, s.frame_length, s.stripped, ByteView(s.header.data(), header_length));
  if (!function.empty()) {
    u32(format::function);
    u32(uint32_t(4 + pad4(function.size())));
    opaque(text(function));
  }
  if (has_trap(s)) {
    u32(format::hw_trap);
    u32(uint32_t(8 + pad4(s.trap_group.size()) + pad4(s.trap_name.size())));
    opaque(text(s.trap_group));
    opaque(text(s.trap_name));
  }
  if (!s.linux_reason.empty()) {
    u32(format::linux_drop_reason);
    u32(uint32_t(4 + pad4(s.linux_reason.size())));
    opaque(text(s.linux_reason));
  }
  ++samples_;
  return true;
}

bool DatagramWriter::add_counters(const InterfaceCounters& c) noexcept {
  if (count_at_ == 0 || used_ + counters_sample_size > buffer_.size()) return false;
  u32(format::counters_sample_expanded);
  u32(uint32_t(counters_sample_size - 8));
  u32(c.sequence);
  u32(0);  // source_id_type: ifIndex
  u32(c.ifindex);
  u32(1);  // one record
  u32(format::generic_interface);
  u32(88);
  u32(c.ifindex);
  u32(c.type);
  u64(c.speed);
  u32(c.direction);
  u32(c.status);
  u64(c.in_octets);
  for (uint32_t v : {c.in_unicast, c.in_multicast, c.in_broadcast, c.in_discards, c.in_errors, c.in_unknown_protos})
    u32(v);
  u64(c.out_octets);
  for (uint32_t v : {c.out_unicast, c.out_multicast, c.out_broadcast, c.out_discards, c.out_errors, c.promiscuous})
    u32(v);
  ++samples_;
  return true;
}

ByteView DatagramWriter::finish() noexcept {
  if (count_at_ == 0) return ByteView();
  const size_t end = used_;
  used_ = count_at_;
  u32(uint32_t(samples_));
  used_ = end;
  count_at_ = 0;
  return ByteView(buffer_.data(), end);
}

}  // namespace psample::sflow
