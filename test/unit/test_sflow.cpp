// psample-cpp-sflow: the datagram writer, round-tripped through the
// test-only decoder (test/support/sflow_decoder.hpp).
#include <catch2/catch.hpp>

#include <vector>

#include "psample/sflow/datagram.hpp"
#include "support/sflow_decoder.hpp"

using namespace psample;
using namespace psample::sflow;

namespace {

std::vector<uint8_t> to_vector(ByteView v) { return std::vector<uint8_t>(v.begin(), v.end()); }

DatagramHeader header(uint32_t sequence) {
  DatagramHeader h;
  const uint8_t agent[4] = {192, 0, 2, 7};
  std::copy(agent, agent + 4, h.agent.bytes);
  h.sub_agent_id = 3;
  h.sequence = sequence;
  h.uptime_ms = 123456;
  return h;
}

FlowSample flow(uint32_t sequence, const std::vector<uint8_t>& packet) {
  FlowSample s;
  s.sequence = sequence;
  s.source_index = 11;
  s.sampling_rate = 1000;
  s.sample_pool = 1000 * sequence;
  s.drops = 2;
  s.input = 11;
  s.output = 70000;
  s.frame_length = 146;
  s.stripped = 4;
  s.header = ByteView(packet.data(), packet.size());
  return s;
}

}  // namespace

TEST_CASE("sFlow: a datagram with flow samples and extensions round-trips", "[sflow]") {
  std::vector<uint8_t> packet(61);
  for (size_t i = 0; i < packet.size(); ++i) packet[i] = uint8_t(i);
  std::vector<uint8_t> buffer(1400);
  DatagramWriter w(MutableByteView(buffer.data(), buffer.size()));
  w.begin(header(9));
  FlowSample a = flow(1, packet);
  a.has_egress_queue = true;
  a.egress_queue = 3;
  a.has_queue_depth = true;
  a.queue_depth = 4095;
  a.has_transit_delay = true;
  a.transit_delay_ns = 8191;
  REQUIRE(w.add_flow_sample(a));
  REQUIRE(w.add_flow_sample(flow(2, packet)));
  InterfaceCounters c;
  c.sequence = 5;
  c.ifindex = 11;
  c.speed = 10000000000ull;
  c.status = 3;
  c.in_octets = 0x123456789aull;
  c.in_unicast = 77;
  c.out_octets = 99;
  c.out_errors = 1;
  REQUIRE(w.add_counters(c));
  const sflow_test::Datagram d = sflow_test::decode(to_vector(w.finish()));
  CHECK(d.version == 5);
  CHECK(d.address_type == 1);
  CHECK(d.agent == std::vector<uint8_t>{192, 0, 2, 7});
  CHECK(d.sub_agent == 3);
  CHECK(d.sequence == 9);
  CHECK(d.uptime == 123456);
  REQUIRE(d.samples.size() == 3);
  const sflow_test::Sample& s = d.samples[0];
  CHECK(s.format == format::flow_sample_expanded);
  CHECK(s.sequence == 1);
  CHECK(s.source_type == 0);
  CHECK(s.source_index == 11);
  CHECK(s.rate == 1000);
  CHECK(s.pool == 1000);
  CHECK(s.drops == 2);
  CHECK(s.input == 11);
  CHECK(s.output == 70000);
  REQUIRE(s.records.size() == 4);
  const sflow_test::RawHeader h = sflow_test::raw_header(s.records[0]);
  CHECK(s.records[0].format == format::raw_packet_header);
  CHECK(h.protocol == header_protocol::ethernet);
  CHECK(h.frame_length == 146);
  CHECK(h.stripped == 4);
  CHECK(h.header == packet);  // 61 bytes: padded to 64 on the wire, read back exactly
  CHECK(s.records[1].format == format::egress_queue);
  CHECK(sflow_test::u32_record(s.records[1]) == 3);
  CHECK(s.records[2].format == format::queue_depth);
  CHECK(sflow_test::u32_record(s.records[2]) == 4095);
  CHECK(s.records[3].format == format::transit_delay);
  CHECK(sflow_test::u32_record(s.records[3]) == 8191);
  CHECK(d.samples[1].records.size() == 1);
  const sflow_test::Sample& counters = d.samples[2];
  CHECK(counters.format == format::counters_sample_expanded);
  CHECK(counters.sequence == 5);
  CHECK(counters.source_index == 11);
  REQUIRE(counters.records.size() == 1);
  REQUIRE(counters.records[0].data.size() == 88);
  sflow_test::Reader r(counters.records[0].data.data(), 88);
  CHECK(r.u32() == 11);
  CHECK(r.u32() == 6);
  CHECK(r.u64() == 10000000000ull);
  CHECK(r.u32() == 0);
  CHECK(r.u32() == 3);
  CHECK(r.u64() == 0x123456789aull);
  CHECK(r.u32() == 77);
}

TEST_CASE("sFlow: samples never split; a full datagram says so and the next one takes the sample", "[sflow]") {
  std::vector<uint8_t> packet(128, 0xab);
  const size_t max = GENERATE(size_t(200), size_t(600), size_t(1400));
  INFO("max datagram " << max);
  std::vector<uint8_t> buffer(max);
  DatagramWriter w(MutableByteView(buffer.data(), buffer.size()));
  std::vector<std::vector<uint8_t>> datagrams;
  uint32_t next = 1;
  size_t written = 0;
  w.begin(header(1));
  for (uint32_t i = 1; i <= 20; ++i) {
    if (!w.add_flow_sample(flow(i, packet))) {
      datagrams.push_back(to_vector(w.finish()));
      w.begin(header(++next));
      REQUIRE(w.add_flow_sample(flow(i, packet)));
    }
    ++written;
  }
  datagrams.push_back(to_vector(w.finish()));
  uint32_t seq = 0;
  size_t samples = 0;
  for (const auto& bytes : datagrams) {
    CHECK(bytes.size() <= max);
    const sflow_test::Datagram d = sflow_test::decode(bytes);
    for (const auto& s : d.samples) {
      CHECK(s.sequence == ++seq);  // in order, none lost, none twice
      const sflow_test::RawHeader h = sflow_test::raw_header(s.records[0]);
      CHECK(h.frame_length == 146);
      if (max >= 400) CHECK(h.header.size() == 128);  // fits whole
      if (max == 200) CHECK(h.header.size() < 128);   // clipped to fit, not dropped
    }
    samples += d.samples.size();
  }
  CHECK(samples == written);
  CHECK(w.clipped() == (max == 200 ? 20u : 0u));
}

TEST_CASE("sFlow: an IPv6 agent address", "[sflow]") {
  std::vector<uint8_t> buffer(200);
  DatagramWriter w(MutableByteView(buffer.data(), buffer.size()));
  DatagramHeader h = header(1);
  h.agent.ipv6 = true;
  for (int i = 0; i < 16; ++i) h.agent.bytes[i] = uint8_t(0x20 + i);
  w.begin(h);
  const sflow_test::Datagram d = sflow_test::decode(to_vector(w.finish()));
  CHECK(d.address_type == 2);
  REQUIRE(d.agent.size() == 16);
  CHECK(d.agent[15] == 0x2f);
  CHECK(d.samples.empty());
}

namespace {
DiscardSample discard(uint32_t sequence, const std::vector<uint8_t>& packet) {
  DiscardSample s;
  s.sequence = sequence;
  s.drops = 7;
  s.input = 3;
  s.reason = 325;
  s.frame_length = 84;
  s.stripped = 4;
  s.header = ByteView(packet.data(), packet.size());
  s.function = "__netif_receive_skb_core.constprop.0+0x";
  s.linux_reason = "UNHANDLED_PROTO";
  return s;
}
}  // namespace

TEST_CASE("sFlow: discarded packet samples round-trip, software and hardware", "[sflow][dropmon]") {
  std::vector<uint8_t> packet(80);
  for (size_t i = 0; i < packet.size(); ++i) packet[i] = uint8_t(i * 3);
  std::vector<uint8_t> buffer(1400);
  DatagramWriter w(MutableByteView(buffer.data(), buffer.size()));
  w.begin(header(4));
  REQUIRE(w.add_discard(discard(1, packet)));
  DiscardSample hw;
  hw.sequence = 2;
  hw.input = 9;
  hw.reason = 269;
  hw.trap_group = "l3_drops";
  hw.trap_name = "blackhole_route";
  const std::string long_symbol(100, 's');
  hw.function = long_symbol;  // the function record holds at most 64 bytes
  REQUIRE(w.add_discard(hw));
  REQUIRE(w.add_flow_sample(flow(1, packet)));  // discards and flow samples share a datagram
  const sflow_test::Datagram d = sflow_test::decode(to_vector(w.finish()));
  REQUIRE(d.samples.size() == 3);

  const sflow_test::Sample& sw = d.samples[0];
  CHECK(sw.format == 5);
  CHECK(sw.sequence == 1);
  CHECK(sw.source_type == 0);
  CHECK(sw.source_index == 0);
  CHECK(sw.drops == 7);
  CHECK(sw.input == 3);
  CHECK(sw.output == 0);
  CHECK(sw.reason == 325);
  REQUIRE(sw.records.size() == 3);  // header, function, Linux reason
  CHECK(sw.records[0].format == 1);
  const sflow_test::RawHeader h = sflow_test::raw_header(sw.records[0]);
  CHECK(h.protocol == 1);
  CHECK(h.frame_length == 84);
  CHECK(h.stripped == 4);
  CHECK(h.header == packet);
  CHECK(sw.records[1].format == 1038);
  CHECK(sflow_test::string_record(sw.records[1]) == "__netif_receive_skb_core.constprop.0+0x");
  CHECK(sw.records[2].format == 1042);
  CHECK(sflow_test::string_record(sw.records[2]) == "UNHANDLED_PROTO");

  const sflow_test::Sample& trap = d.samples[1];
  CHECK(trap.format == 5);
  CHECK(trap.reason == 269);
  CHECK(trap.input == 9);
  REQUIRE(trap.records.size() == 2);  // no header given: function and trap only
  CHECK(trap.records[0].format == 1038);
  CHECK(sflow_test::string_record(trap.records[0]) == std::string(64, 's'));
  CHECK(trap.records[1].format == 1041);
  CHECK(sflow_test::string_record(trap.records[1], 0) == "l3_drops");
  CHECK(sflow_test::string_record(trap.records[1], 1) == "blackhole_route");
  CHECK(d.samples[2].format == 3);
}

TEST_CASE("sFlow: a discard too big for an empty datagram has its header clipped, never dropped", "[sflow][dropmon]") {
  std::vector<uint8_t> packet(1500, 0x5a);
  std::vector<uint8_t> buffer(300);
  DatagramWriter w(MutableByteView(buffer.data(), buffer.size()));
  w.begin(header(1));
  REQUIRE(w.add_discard(discard(1, packet)));
  CHECK_FALSE(w.add_discard(discard(2, packet)));  // full: the next datagram takes it
  const auto bytes = to_vector(w.finish());
  CHECK(bytes.size() <= 300);
  const sflow_test::Datagram d = sflow_test::decode(bytes);
  REQUIRE(d.samples.size() == 1);
  const sflow_test::RawHeader h = sflow_test::raw_header(d.samples[0].records[0]);
  CHECK(h.header.size() < packet.size());
  CHECK(h.frame_length == 84);
  CHECK(sflow_test::string_record(d.samples[0].records[2]) == "UNHANDLED_PROTO");
  CHECK(w.clipped() == 1);
}
