// Golden captures of producers other than the tc sample action, recorded on
// real kernels by the VM suite (test/data/README.md): netdevsim, a driver's
// psample emitter with driver metadata (OUT_TC, OUT_TC_OCC, LATENCY). Each
// nlmon capture is replayed through a detached Receiver, as `psample-dump -r`
// does, and every sample is compared with the configuration the recording
// script wrote (expected.txt), never with an earlier run of our decoder.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "capture_reader.hpp"
#include "psample/psample.hpp"

using namespace psample;

namespace {

// expected.txt: "KIND key=value ..." lines; the fields of the first line of each kind.
std::map<std::string, std::map<std::string, std::string>> read_config(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::map<std::string, std::map<std::string, std::string>> config;
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty() || text[0] == '#') continue;
    std::istringstream words(text);
    std::string kind, word;
    words >> kind;
    while (words >> word) config[kind][word.substr(0, word.find('='))] = word.substr(word.find('=') + 1);
  }
  return config;
}

uint64_t number(const std::string& text) { return std::stoull(text, nullptr, 0); }

std::string hex(ByteView bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) out += {digits[b >> 4], digits[b & 15]};
  return out;
}

// psample's family id in a capture: the GETFAMILY reply for "psample".
int family_id(dump::CaptureReader& reader) {
  dump::CaptureRecord record;
  int id = -1;
  while (id < 0 && reader.next(record) == 1) {
    netlink::MessageReader messages(dump::generic_netlink_payload(record));
    netlink::Message m;
    while (messages.next(m)) {
      if (m.type != netlink::genl_controller_id) continue;
      auto family = netlink::parse_family(m.bytes);
      if (family && std::string(family->name) == family_name) id = family->id;
    }
  }
  reader.rewind();
  return id;
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

  dump::CaptureReader reader;
  REQUIRE(reader.open(dir + "/nlmon.pcap"));
  const int id = family_id(reader);
  REQUIRE(id > 0);
  ReceiverOptions options;
  options.accept_userspace = true;  // a capture does not tell senders apart
  auto receiver = Receiver::detached(uint16_t(id), options);
  REQUIRE(receiver);

  size_t samples = 0;
  uint32_t first_seq = 0;
  uint64_t last_timestamp = 0;
  dump::CaptureRecord record;
  while (reader.next(record) == 1) {
    receiver->process(dump::generic_netlink_payload(record), 0, [&](const PacketView& p) {
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
  }
  CHECK(samples == number(nsim["samples"]));
  CHECK(receiver->stats().lost == 0);
  CHECK(receiver->stats().malformed == 0);
}
