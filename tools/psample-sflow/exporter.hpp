// psample-sflow: maps psample samples to sFlow v5 flow samples and hands
// out finished datagrams. The mapping (README "psample-sflow"):
//   data source   IIFINDEX, or OIFINDEX for a group given as --egress-group
//                 (the other one when that one is absent)
//   sampling_rate SAMPLE_RATE; a SAMPLE_PROBABILITY rate p/(2^32-1) becomes
//                 1-in-round((2^32-1)/p), at least 1
//   sample_pool   per data source, charged from the Receiver's verdict on
//                 each sample (SampleSequence), in the same call:
//                 + rate x (1 + lost) for a sample after a gap of `lost` of
//                 its group (in_order, resync); + rate for first, duplicate
//                 and untracked ones; nothing for a late sample or a
//                 straggler, whose number its gap's charge already counted
//   drops         per data source: + lost at the same samples, less the
//                 take-backs of late samples waiting at that data source
//                 (a late sample's drop is taken back from the next charge,
//                 so that neither counter ever decreases)
//   input/output  IIFINDEX / OIFINDEX (0 when absent)
//   raw header    ethernet unless the sampling device is a layer-3 one
//                 (then IPv4/IPv6 from PROTO); frame_length ORIGSIZE + 4
//                 (the FCS) with stripped 4 for Ethernet, ORIGSIZE and 0 for
//                 L3; the first --header-bytes bytes of DATA
//   extensions    OUT_TC -> egress queue (1036), OUT_TC_OCC -> queue depth
//                 (1040), LATENCY -> transit delay (1039), each clamped to
//                 32 bits; TIMESTAMP and USER_COOKIE are not exported.
// Drops (--drops) become discarded packet samples (format 5):
//   data source   0:0 (the host's kernel), one sequence for all discards
//   drops         drops not exported, running total: the rate limit's and
//                 the kernel queue's and the socket's (DropMonitorStats::lost)
//   input         the drop's input ifindex (0 when absent); output 0
//   reason        psample::sflow::drop_reason_code (README table)
//   raw header    the payload (from the MAC header) as Ethernet, frame_length
//                 ORIG_LEN + 4, stripped 4, the first --header-bytes bytes
//   records       function (1038) = SYMBOL, hardware trap (1041) = trap
//                 group and name, Linux reason (1042) = REASON, when present
//   datagrams     discards only, never with flow or counter samples
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "psample/dropmon/drop_view.hpp"
#include "psample/psample.hpp"
#include "psample/sflow/datagram.hpp"

namespace sflow_agent {

struct ExporterOptions {
  psample::sflow::AgentAddress agent;
  uint32_t sub_agent_id = 0;
  size_t header_bytes = 128;
  size_t max_datagram = 1400;
  std::unordered_set<uint32_t> egress_groups;
  // True when the interface's frames start at layer 3 (no Ethernet header).
  std::function<bool(uint32_t ifindex)> layer3_device;
};

struct SourceCounters {
  uint32_t sequence = 0;
  uint64_t pool = 0;
  uint64_t drops = 0;
  uint64_t samples = 0;
  uint64_t takebacks = 0;  // late samples' drops not yet taken back from a charge
};

class Exporter {
 public:
  using Send = std::function<void(psample::ByteView datagram)>;
  Exporter(ExporterOptions options, Send send);

  // One sample, with the Receiver's verdict on it; `uptime_ms` goes into the
  // datagram it ends up in.
  void sample(const psample::PacketView& p, const psample::SampleSequence& sequence, uint32_t uptime_ms);
  // One drop as a discarded packet sample; `lost`: the drops not exported
  // so far (the sample's drops field).
  void discard(const psample::dropmon::DropView& d, uint64_t lost, uint32_t uptime_ms);
  // A counters sample for one interface (its sequence is set here).
  void counters(psample::sflow::InterfaceCounters c, uint32_t uptime_ms);
  // Sends what is pending.
  void flush();

  uint64_t datagrams() const { return datagrams_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t samples() const { return samples_; }
  uint64_t counter_samples() const { return counter_samples_; }
  uint64_t discards() const { return discards_; }
  uint64_t clipped() const { return writer_.clipped(); }
  const std::unordered_map<uint32_t, SourceCounters>& sources() const { return sources_; }
  static uint32_t one_in_n(uint32_t probability);

 private:
  void begin(uint32_t uptime_ms);
  // Adds one sample through add_sample() (a writer call), starting the next
  // datagram when this one is full, or holds the other kind (discards, or
  // flow and counter samples).
  template <class AddSample>
  void add(uint32_t uptime_ms, bool discard, AddSample add_sample);

  ExporterOptions options_;
  Send send_;
  std::vector<uint8_t> buffer_;
  psample::sflow::DatagramWriter writer_;
  bool begun_ = false;
  bool discards_datagram_ = false;  // the datagram being filled holds discards
  uint32_t sequence_ = 0;
  std::unordered_map<uint32_t, SourceCounters> sources_;
  std::unordered_map<uint32_t, uint32_t> counter_sequence_;  // per interface
  uint32_t discard_sequence_ = 0;
  uint64_t datagrams_ = 0, bytes_ = 0, samples_ = 0, counter_samples_ = 0, discards_ = 0;
};

}  // namespace sflow_agent
