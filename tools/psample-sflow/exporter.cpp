#include "exporter.hpp"

#include <algorithm>

#include "psample/sflow/drop_reason.hpp"

namespace sflow_agent {

Exporter::Exporter(ExporterOptions options, Send send)
    : options_(std::move(options)),
      send_(std::move(send)),
      buffer_(options_.max_datagram),
      writer_(psample::MutableByteView(buffer_.data(), buffer_.size())) {}

uint32_t Exporter::one_in_n(uint32_t probability) {
  if (probability == 0) return 0;  // never samples: no rate to give
  const uint64_t n = (uint64_t(0xffffffffu) + probability / 2) / probability;
  return uint32_t(std::max<uint64_t>(n, 1));
}

void Exporter::begin(uint32_t uptime_ms) {
  psample::sflow::DatagramHeader header;
  header.agent = options_.agent;
  header.sub_agent_id = options_.sub_agent_id;
  header.sequence = ++sequence_;
  header.uptime_ms = uptime_ms;
  writer_.begin(header);
  begun_ = true;
}

template <class AddSample>
void Exporter::add(uint32_t uptime_ms, bool discard, AddSample add_sample) {
  // Discards travel in datagrams of their own: a collector that does not
  // know format 5 and gives up on the rest of a datagram (sfacctd 1.7.8
  // does) then loses no flow or counter sample.
  if (begun_ && !writer_.empty() && discard != discards_datagram_) flush();
  discards_datagram_ = discard;
  if (!begun_) begin(uptime_ms);
  if (!add_sample()) {
    flush();
    begin(uptime_ms);
    add_sample();  // an empty datagram takes it (clipped if it must be)
  }
}

void Exporter::sample(const psample::PacketView& p, const psample::SampleSequence& sequence, uint32_t uptime_ms) {
  const bool egress = options_.egress_groups.count(p.group()) != 0;
  uint32_t source = egress ? p.out_ifindex() : p.in_ifindex();
  if (source == 0) source = egress ? p.in_ifindex() : p.out_ifindex();
  const uint32_t rate = p.sample_probability() ? one_in_n(p.sample_rate()) : p.sample_rate();
  SourceCounters& c = sources_[source];
  using Verdict = psample::SampleSequence::Verdict;
  if (sequence.verdict == Verdict::late) {
    ++c.takebacks;  // counted in pool by its gap's charge; its drop comes off the next one
  } else if (sequence.verdict != Verdict::straggler) {
    const uint64_t taken_back = std::min<uint64_t>(sequence.lost, c.takebacks);
    c.takebacks -= taken_back;
    c.pool += uint64_t(rate) * (1 + uint64_t(sequence.lost));
    c.drops += sequence.lost - taken_back;
  }
  ++c.samples;

  psample::sflow::FlowSample s;
  s.sequence = ++c.sequence;
  s.source_index = source;
  s.sampling_rate = rate;
  s.sample_pool = uint32_t(c.pool);
  s.drops = uint32_t(c.drops);
  s.input = p.in_ifindex();
  s.output = p.out_ifindex();
  const bool layer3 = options_.layer3_device && options_.layer3_device(source);
  if (layer3 && p.proto() == 0x0800) {
    s.header_protocol = psample::sflow::header_protocol::ipv4;
  } else if (layer3 && p.proto() == 0x86dd) {
    s.header_protocol = psample::sflow::header_protocol::ipv6;
  } else {
    s.header_protocol = psample::sflow::header_protocol::ethernet;
  }
  const bool ethernet = s.header_protocol == psample::sflow::header_protocol::ethernet;
  const uint32_t original = p.has_orig_size() ? p.orig_size() : uint32_t(p.data().size());
  s.frame_length = ethernet ? original + 4 : original;  // Ethernet: the FCS is counted, and stripped
  s.stripped = ethernet ? 4 : 0;
  s.header = p.data().subview(0, std::min(p.data().size(), options_.header_bytes));
  auto clamp32 = [](uint64_t v) { return uint32_t(std::min<uint64_t>(v, 0xffffffffu)); };
  s.has_egress_queue = p.has_out_tc();
  s.egress_queue = p.out_tc();
  s.has_queue_depth = p.has_out_tc_occ();
  s.queue_depth = clamp32(p.out_tc_occ());
  s.has_transit_delay = p.has_latency();
  s.transit_delay_ns = clamp32(p.latency());

  add(uptime_ms, false, [&] { return writer_.add_flow_sample(s); });
  ++samples_;
}

void Exporter::discard(const psample::dropmon::DropView& d, uint64_t lost, uint32_t uptime_ms) {
  namespace attr = psample::dropmon::attr;
  psample::sflow::DiscardSample s;
  s.sequence = ++discard_sequence_;
  s.drops = uint32_t(lost);  // modulo 2^32, as sFlow's counters wrap
  s.input = d.has_in_ifindex() ? d.in_ifindex() : 0;
  s.reason = psample::sflow::drop_reason_code(d.reason(), d.trap_group(), d.trap_name());
  if (d.has(attr::payload)) {
    // The payload starts at the MAC header: Ethernet, its FCS counted and stripped.
    const uint32_t original = d.has(attr::orig_len) ? d.orig_len() : uint32_t(d.payload().size());
    s.frame_length = original + 4;
    s.stripped = 4;
    s.header = d.payload().subview(0, std::min(d.payload().size(), options_.header_bytes));
  }
  s.function = d.symbol();
  s.trap_group = d.trap_group();
  s.trap_name = d.trap_name();
  s.linux_reason = d.reason();
  add(uptime_ms, true, [&] { return writer_.add_discard(s); });
  ++discards_;
}

void Exporter::counters(psample::sflow::InterfaceCounters c, uint32_t uptime_ms) {
  c.sequence = ++counter_sequence_[c.ifindex];
  add(uptime_ms, false, [&] { return writer_.add_counters(c); });
  ++counter_samples_;
}

void Exporter::flush() {
  if (!begun_) return;
  begun_ = false;
  if (writer_.empty()) {
    writer_.finish();
    --sequence_;  // an empty datagram is not sent and takes no number
    return;
  }
  const psample::ByteView datagram = writer_.finish();
  ++datagrams_;
  bytes_ += datagram.size();
  send_(datagram);
}

}  // namespace sflow_agent
