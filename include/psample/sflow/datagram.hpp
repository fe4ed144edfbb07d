// psample-cpp-sflow: sFlow version 5 datagrams, written into a caller's
// buffer with no allocation (sflow.org's sFlow v5 specification; XDR:
// big-endian 32-bit words). Its own library target, so a program that only
// receives samples pays nothing for it. Depends on nothing but the standard
// library and psample/bytes.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "psample/bytes.hpp"

namespace psample::sflow {

// Record and sample formats (enterprise 0), sFlow v5 and sflow.org's
// published extensions (sflow_transit.txt; the numbers hsflowd uses too).
namespace format {
constexpr uint32_t flow_sample_expanded = 3;      // sample: 32-bit ifindex data source
constexpr uint32_t counters_sample_expanded = 4;  // sample
constexpr uint32_t discarded_packet = 5;          // sample (sflow_drops.txt)
constexpr uint32_t raw_packet_header = 1;         // flow record
constexpr uint32_t egress_queue = 1036;           // flow record: selected egress queue
constexpr uint32_t transit_delay = 1039;          // flow record: transit delay, ns
constexpr uint32_t queue_depth = 1040;            // flow record: queue depth, bytes
constexpr uint32_t function = 1038;               // flow record: the dropping function's symbol
constexpr uint32_t hw_trap = 1041;                // flow record: devlink trap group and name
constexpr uint32_t linux_drop_reason = 1042;      // flow record: the kernel's drop reason name
constexpr uint32_t generic_interface = 1;         // counter record
}  // namespace format

// raw_packet_header's header_protocol.
namespace header_protocol {
constexpr uint32_t ethernet = 1;  // ETHERNET-ISO88023
constexpr uint32_t ipv4 = 11;
constexpr uint32_t ipv6 = 12;
}  // namespace header_protocol

constexpr uint16_t default_port = 6343;

struct AgentAddress {
  bool ipv6 = false;
  uint8_t bytes[16] = {};  // network order; IPv4 in the first 4
};

struct DatagramHeader {
  AgentAddress agent;
  uint32_t sub_agent_id = 0;
  uint32_t sequence = 0;   // datagram sequence number, per agent/sub-agent
  uint32_t uptime_ms = 0;  // since the agent started
};

// One expanded flow sample (format 3) with a raw packet header record and
// the optional extension records.
struct FlowSample {
  uint32_t sequence = 0;      // per data source
  uint32_t source_index = 0;  // data source: ifindex (source_id_type 0)
  uint32_t sampling_rate = 0;
  uint32_t sample_pool = 0;  // packets the sampler saw (modulo 2^32)
  uint32_t drops = 0;        // samples lost before export, running total
  uint32_t input = 0;        // ifindex, 0 when unknown
  uint32_t output = 0;       // ifindex, 0 when unknown
  // Raw packet header record.
  uint32_t header_protocol = header_protocol::ethernet;
  uint32_t frame_length = 0;
  uint32_t stripped = 0;
  ByteView header;  // the first bytes of the packet (clipped to fit, see DatagramWriter)
  // Extension records, written when present.
  bool has_egress_queue = false;
  uint32_t egress_queue = 0;
  bool has_queue_depth = false;
  uint32_t queue_depth = 0;
  bool has_transit_delay = false;
  uint32_t transit_delay_ns = 0;
};

// One discarded packet (sample format 5, sflow.org "sFlow Dropped Packet
// Notification Structures"): where and why a packet was dropped, its
// header, and the records that say more. Empty strings are not written.
struct DiscardSample {
  uint32_t sequence = 0;      // per data source
  uint32_t source_class = 0;  // data source: sFlowDataSource class and index
  uint32_t source_index = 0;
  uint32_t drops = 0;   // discards not reported (rate limit, lost on the way), running total
  uint32_t input = 0;   // ifindex, 0 when unknown
  uint32_t output = 0;  // ifindex, 0 when unknown
  uint32_t reason = 0;  // the drop_reason code (psample/sflow/drop_reason.hpp)
  // Raw packet header record (written when `header` or frame_length is set).
  uint32_t header_protocol = header_protocol::ethernet;
  uint32_t frame_length = 0;
  uint32_t stripped = 0;
  ByteView header;
  std::string_view function;    // 1038: symbol, at most 64 bytes written
  std::string_view trap_group;  // 1041, with trap_name
  std::string_view trap_name;
  std::string_view linux_reason;  // 1042
};

// Generic interface counters (counter record format 1), in an expanded
// counters sample (format 4) whose data source is the interface.
struct InterfaceCounters {
  uint32_t sequence = 0;  // per data source
  uint32_t ifindex = 0;
  uint32_t type = 6;  // ifType: 6 ethernetCsmacd
  uint64_t speed = 0;
  uint32_t direction = 0;  // 0 unknown, 1 full duplex, 2 half, 3 in, 4 out
  uint32_t status = 0;     // bit 0 admin up, bit 1 oper up
  uint64_t in_octets = 0;
  uint32_t in_unicast = 0, in_multicast = 0, in_broadcast = 0, in_discards = 0, in_errors = 0, in_unknown_protos = 0;
  uint64_t out_octets = 0;
  uint32_t out_unicast = 0, out_multicast = 0, out_broadcast = 0, out_discards = 0, out_errors = 0;
  uint32_t promiscuous = 0;
};

// Bytes a flow sample takes with `header_length` header bytes.
size_t flow_sample_size(const FlowSample& sample, size_t header_length) noexcept;
// Bytes a discard sample takes with `header_length` header bytes.
size_t discard_sample_size(const DiscardSample& sample, size_t header_length) noexcept;

// Writes one datagram at a time into a caller's buffer: begin(), then
// add_*() until one says false (the datagram is full: finish() it, send it,
// begin() the next and add that sample again), then finish(). A flow sample
// never splits across datagrams; one too big for an empty datagram has its
// header bytes clipped to fit (`clipped()` counts them), never dropped.
class DatagramWriter {
 public:
  explicit DatagramWriter(MutableByteView buffer) noexcept : buffer_(buffer) {}

  void begin(const DatagramHeader& header) noexcept;
  bool add_flow_sample(const FlowSample& sample) noexcept;
  bool add_counters(const InterfaceCounters& counters) noexcept;
  // As add_flow_sample(): never split, header bytes clipped when it alone
  // does not fit an empty datagram.
  bool add_discard(const DiscardSample& sample) noexcept;
  // The finished datagram (empty when nothing was begun).
  ByteView finish() noexcept;

  size_t samples() const noexcept { return samples_; }
  bool empty() const noexcept { return samples_ == 0; }
  uint64_t clipped() const noexcept { return clipped_; }

 private:
  void u32(uint32_t value) noexcept;
  void u64(uint64_t value) noexcept;
  void opaque(ByteView bytes) noexcept;  // length, bytes, zero padding to 4
  // Room for a sample of size(header_length) bytes: the header length that
  // fits (clipped only in an empty datagram), or false.
  template <class SizeOf>
  bool fit(size_t& header_length, SizeOf size) noexcept;
  void raw_header(uint32_t protocol, uint32_t frame_length, uint32_t stripped, ByteView header) noexcept;

  MutableByteView buffer_;
  size_t used_ = 0;
  size_t count_at_ = 0;  // offset of the datagram's sample count
  size_t samples_ = 0;
  uint64_t clipped_ = 0;
};

}  // namespace psample::sflow
