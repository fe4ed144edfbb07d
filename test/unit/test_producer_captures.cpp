// Golden captures of producers other than the plain tc sample action,
// recorded on real kernels by the VM suite (test/data/README.md): netdevsim,
// a driver's psample emitter with driver metadata (OUT_TC, OUT_TC_OCC,
// LATENCY); tunnel keys from tc tunnel_key and collect_md vxlan/geneve. Each
// nlmon capture is replayed through a detached Receiver, as `psample-dump -r`
// does, and every sample is compared with the configuration the recording
// script wrote (expected.txt), never with an earlier run of our decoder.
#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "capture_reader.hpp"
#include "psample/psample.hpp"

using namespace psample;

namespace {

using Fields = std::map<std::string, std::string>;

// expected.txt: "KIND key=value ..." lines, in order.
std::vector<std::pair<std::string, Fields>> read_lines(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::vector<std::pair<std::string, Fields>> lines;
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty() || text[0] == '#') continue;
    std::istringstream words(text);
    std::string kind, word;
    words >> kind;
    Fields fields;
    while (words >> word) fields[word.substr(0, word.find('='))] = word.substr(word.find('=') + 1);
    lines.emplace_back(kind, fields);
  }
  return lines;
}

// The fields of the first line of each kind.
std::map<std::string, Fields> read_config(const std::string& path) {
  std::map<std::string, Fields> config;
  for (auto& line : read_lines(path)) config.emplace(line.first, line.second);
  return config;
}

uint64_t number(const std::string& text) { return std::stoull(text, nullptr, 0); }

std::string hex(ByteView bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) out += {digits[b >> 4], digits[b & 15]};
  return out;
}

// Replays a directory's nlmon.pcap through a detached Receiver, as
// `psample-dump -r` does; returns the Receiver's stats.
ReceiverStats replay(const std::string& dir, const std::function<void(const PacketView&)>& on_sample) {
  tools::CaptureReader reader;
  REQUIRE(reader.open(dir + "/nlmon.pcap"));
  const int id = tools::find_family_id(reader, psample::family_name);
  REQUIRE(id > 0);
  ReceiverOptions options;
  options.accept_userspace = true;  // a capture does not tell senders apart
  auto receiver = Receiver::detached(uint16_t(id), options);
  REQUIRE(receiver);
  tools::CaptureRecord record;
  while (reader.next(record) == 1)
    receiver->process(tools::generic_netlink_payload(record), 0, [&](const PacketView& p) { on_sample(p); });
  return receiver->stats();
}

bool same_address(const uint8_t* bytes, const std::string& text, int family) {
  uint8_t want[16] = {};
  REQUIRE(inet_pton(family, text.c_str(), want) == 1);
  return std::memcmp(bytes, want, family == AF_INET ? 4 : 16) == 0;
}

}  // namespace

TEST_CASE("netdevsim captures: driver metadata as configured, on 6.1 and 6.12", "[captures]") {
  const std::string version = GENERATE("6.1", "6.12");
  const std::string dir = std::string(PSAMPLE_TEST_DATA_DIR) + "/netdevsim-" + version;
  INFO("capture " << dir);
  auto config = read_config(dir + "/expected.txt");
  auto& nsim = config["netdevsim"];
  auto& packet = config["packet"];
  REQUIRE(config["kernel"]["release"].rfind(version + ".", 0) == 0);

  size_t samples = 0;
  uint32_t first_seq = 0;
  uint64_t last_timestamp = 0;
  const ReceiverStats stats = replay(dir, [&](const PacketView& p) {
    INFO("sample " << samples);
    CHECK(p.group() == number(nsim["group"]));
    CHECK(p.sample_rate() == number(nsim["rate"]));
    CHECK(!p.sample_probability());
    CHECK(p.in_ifindex() == number(nsim["iif"]));
    CHECK(p.out_ifindex() == number(nsim["oif"]));
    REQUIRE(p.has_out_tc());
    CHECK(p.out_tc() == number(nsim["out_tc"]));
    REQUIRE(p.has_out_tc_occ());
    CHECK(p.out_tc_occ() < number(nsim["out_tc_occ_max"]));
    REQUIRE(p.has_latency());
    CHECK(p.latency() < number(nsim["latency_max"]));
    CHECK(p.orig_size() == number(packet["origsize"]));
    CHECK(p.proto() == number(packet["proto"]));
    CHECK(!p.has_tunnel());
    CHECK(!p.has_user_cookie());
    // DATA: the first `trunc` bytes of netdevsim's IPv4/UDP frame.
    REQUIRE(p.data().size() == number(nsim["trunc"]));
    CHECK(p.is_truncated());
    const std::string data = hex(p.data());
    CHECK(data.substr(24, 4) == packet["ethertype"]);
    CHECK(std::stoul(data.substr(28 + 16, 2), nullptr, 16) == number(packet["ttl"]));
    CHECK(std::stoul(data.substr(28 + 18, 2), nullptr, 16) == number(packet["ip_proto"]));
    CHECK(data.substr(28 + 24, 8) == packet["ip_src"]);
    CHECK(data.substr(28 + 32, 8) == packet["ip_dst"]);
    // One sample per 100 ms, GROUP_SEQ on by one, TIMESTAMP moving forward.
    if (samples == 0) first_seq = p.group_seq();
    CHECK(p.group_seq() == first_seq + samples);
    REQUIRE(p.has_timestamp());
    CHECK(p.timestamp() > last_timestamp);
    last_timestamp = p.timestamp();
    ++samples;
  });
  CHECK(samples == number(nsim["samples"]));
  CHECK(stats.lost == 0);
  CHECK(stats.malformed == 0);
}

TEST_CASE("tunnel captures: every TUNNEL sub-attribute as configured, on 6.1 and 6.12", "[captures]") {
  namespace ta = tunnel_attr;
  const std::string version = GENERATE("6.1", "6.12");
  const std::string dir = std::string(PSAMPLE_TEST_DATA_DIR) + "/tunnel-" + version;
  INFO("capture " << dir);
  std::map<uint32_t, Fields> groups;  // group -> its "tunnel" line
  Fields frame;
  for (auto& line : read_lines(dir + "/expected.txt")) {
    if (line.first == "tunnel") groups[uint32_t(number(line.second["group"]))] = line.second;
    if (line.first == "frame") frame = line.second;
    if (line.first == "kernel") REQUIRE(line.second["release"].rfind(version + ".", 0) == 0);
  }
  REQUIRE(groups.size() == 4);
  std::map<uint32_t, uint64_t> seen;
  const ReceiverStats stats = replay(dir, [&](const PacketView& p) {
    REQUIRE(groups.count(p.group()) == 1);
    Fields& e = groups[p.group()];
    INFO("group " << p.group() << " seq " << p.group_seq());
    CHECK(p.group_seq() == seen[p.group()]++);  // in order, from 0
    if (e.count("iif")) CHECK(p.in_ifindex() == number(e["iif"]));
    if (e.count("oif")) CHECK(p.out_ifindex() == number(e["oif"]));
    CHECK(p.has_in_ifindex() == (e.count("iif") == 1));
    CHECK(p.has_out_ifindex() == (e.count("oif") == 1));
    CHECK(p.orig_size() == number(frame["length"]));
    CHECK(p.proto() == number("0x" + frame["ethertype"]));
    REQUIRE(p.has_tunnel());
    const TunnelView t = p.tunnel();
    REQUIRE(t.has(ta::id));
    CHECK(t.id == number(e["id"]));
    // Exactly the attributes configured, no others.
    const bool v4 = e.count("ipv4_src") == 1;
    CHECK(t.has(ta::ipv4_src) == v4);
    CHECK(t.has(ta::ipv4_dst) == v4);
    CHECK(t.has(ta::ipv6_src) == !v4);
    CHECK(t.has(ta::ipv6_dst) == !v4);
    if (v4) {
      CHECK(same_address(t.ipv4_src, e["ipv4_src"], AF_INET));
      CHECK(same_address(t.ipv4_dst, e["ipv4_dst"], AF_INET));
    } else {
      CHECK(same_address(t.ipv6_src, e["ipv6_src"], AF_INET6));
      CHECK(same_address(t.ipv6_dst, e["ipv6_dst"], AF_INET6));
    }
    REQUIRE(t.has(ta::tos));
    CHECK(t.tos == number(e["tos"]));
    REQUIRE(t.has(ta::ttl));
    CHECK(t.ttl == number(e["ttl"]));
    REQUIRE(t.has(ta::tp_dst));
    CHECK(t.tp_dst == number(e["tp_dst"]));
    // tunnel_key set sets no source port; a receiving device reports the sender's (its flow hash port).
    CHECK(t.has(ta::tp_src) == (e.count("tp_src") == 1));
    if (t.has(ta::tp_src)) CHECK(t.tp_src != 0);
    CHECK(t.csum() == (e["csum"] == "yes"));
    CHECK(!t.dont_fragment());
    CHECK(!t.oam());
    CHECK(t.has(ta::geneve_opts) == (e.count("geneve_opts") == 1));
    if (t.has(ta::geneve_opts)) CHECK(hex(t.geneve_opts) == e["geneve_opts"]);
    CHECK(!t.has(ta::vxlan_opts));
    CHECK(!t.has(ta::erspan_opts));
  });
  for (auto& g : groups) CHECK(seen[g.first] == number(g.second["samples"]));
  CHECK(stats.lost == 0);
  CHECK(stats.malformed == 0);
}

TEST_CASE("Open vSwitch capture: psample action inside sample(probability), on 6.12", "[captures]") {
  const std::string dir = std::string(PSAMPLE_TEST_DATA_DIR) + "/ovs-6.12";
  auto config = read_config(dir + "/expected.txt");
  auto& ovs = config["ovs"];
  auto& frame = config["frame"];
  REQUIRE(config["kernel"]["release"].rfind("6.12.", 0) == 0);
  size_t samples = 0;
  const ReceiverStats stats = replay(dir, [&](const PacketView& p) {
    INFO("sample " << samples);
    CHECK(p.group() == number(ovs["group"]));
    CHECK(p.sample_probability());
    CHECK(p.sample_rate() == number(ovs["probability"]));
    CHECK(p.group_seq() == 0);  // OVS builds a fresh group per sample
    CHECK(p.in_ifindex() == number(ovs["iif"]));
    CHECK_FALSE(p.has_out_ifindex());
    CHECK(hex(p.user_cookie()) == ovs["cookie"]);
    const auto ids = p.observation_ids();
    REQUIRE(ids);
    CHECK(ids->domain == number(ovs["obs_domain"]));
    CHECK(ids->point == number(ovs["obs_point"]));
    CHECK(p.orig_size() == number(frame["length"]));
    CHECK(p.data().size() == number(frame["length"]));
    CHECK(p.proto() == number("0x" + frame["ethertype"]));
    CHECK(p.has_timestamp());
    ++samples;
  });
  // About half of the frames, at probability 1/2 (the VM test's bounds).
  CHECK(samples >= 140);
  CHECK(samples <= 260);
  CHECK(samples <= number(ovs["frames"]));
  CHECK(stats.untracked_samples == samples);
  CHECK(stats.lost == 0);
  CHECK(stats.duplicates == 0);
}
