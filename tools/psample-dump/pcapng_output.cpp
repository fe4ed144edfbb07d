// psample-dump -w: samples as pcapng (hand-written; no libpcap).
//
// One interface description block per (ifindex, link type) seen, named after
// the interface, with if_tsresol 9 (nanoseconds). One enhanced packet block
// per sample: timestamp = TIMESTAMP (or the receive time), captured length =
// DATA length, original length = ORIGSIZE, and a comment with group, seq and
// rate. Link type: Ethernet, or raw IPv4/IPv6 when the data starts at L3.
// A drop (--drops) is a packet too: its payload (from the MAC header, so
// Ethernet), on its input port, with the reason and location as the comment.
#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <map>
#include <string>
#include <utility>

#include "output.hpp"

namespace dump {

namespace {

constexpr uint16_t linktype_ethernet = 1;
constexpr uint16_t linktype_ipv4 = 228;
constexpr uint16_t linktype_ipv6 = 229;
// The file's interface blocks must stay valid, so samples of further
// interfaces share one "other" interface per link type.
constexpr size_t max_interfaces = 1024;

constexpr uint32_t block_section_header = 0x0A0D0D0A;
constexpr uint32_t block_interface_description = 1;
constexpr uint32_t block_enhanced_packet = 6;
constexpr uint16_t option_end = 0;
constexpr uint16_t option_comment = 1;
constexpr uint16_t option_if_name = 2;
constexpr uint16_t option_if_tsresol = 9;

void put(std::string& out, const void* data, size_t size) { out.append(static_cast<const char*>(data), size); }
void put16(std::string& out, uint16_t v) { put(out, &v, 2); }
void put32(std::string& out, uint32_t v) { put(out, &v, 4); }
void pad4(std::string& out) {
  while (out.size() % 4) out.push_back('\0');
}
void option(std::string& out, uint16_t code, const void* data, size_t size) {
  put16(out, code);
  put16(out, static_cast<uint16_t>(size));
  put(out, data, size);
  pad4(out);
}

uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// The link type of a sample's data: Ethernet unless the data is a bare IPv4
// or IPv6 packet (tunnel devices hand act_sample the packet without L2).
uint16_t sample_link_type(const psample::PacketView& p) {
  const psample::ByteView d = p.data();
  if (!p.has_proto() || d.empty()) return linktype_ethernet;
  const bool ethertype_at_12 = d.size() >= 14 && load_be16(d.data() + 12) == p.proto();
  if (ethertype_at_12) return linktype_ethernet;
  if (p.proto() == 0x0800 && d[0] >> 4 == 4) return linktype_ipv4;
  if (p.proto() == 0x86dd && d[0] >> 4 == 6) return linktype_ipv6;
  return linktype_ethernet;
}

class PcapngOutput final : public Output {
 public:
  // Writes the section header block.
  PcapngOutput(FILE* out, InterfaceNames& names);
  void sample(const psample::PacketView& p, uint64_t fallback_time_ns) override;
  void drop(const psample::dropmon::DropView& d, uint64_t fallback_time_ns) override;
  void group_event(const psample::GroupInfo&) override {}
  void group_table(const std::vector<psample::GroupInfo>&) override {}
  void flush() override { std::fflush(out_); }

 private:
  uint32_t interface_id(uint32_t ifindex, uint16_t link_type);
  // One enhanced packet block.
  void packet(uint32_t interface, uint64_t time_ns, psample::ByteView data, uint32_t original_length,
              const char* comment, size_t comment_length);
  void block(uint32_t type, const std::string& body);

  InterfaceNames& names_;
  // (ifindex, link type) -> interface id, at most max_interfaces (ifindex 0 is not one).
  std::map<std::pair<uint32_t, uint16_t>, uint32_t> interfaces_;
  std::string packet_body_;
};

PcapngOutput::PcapngOutput(FILE* out, InterfaceNames& names) : Output(out), names_(names) {
  std::string body;
  put32(body, 0x1A2B3C4D);  // byte-order magic: the file is in host order
  put16(body, 1);           // version 1.0
  put16(body, 0);
  const int64_t unknown_length = -1;
  put(body, &unknown_length, 8);
  const char application[] = "psample-dump (psample-cpp)";
  option(body, 4 /* shb_userappl */, application, sizeof application - 1);
  put32(body, option_end);
  block(block_section_header, body);
}

void PcapngOutput::block(uint32_t type, const std::string& body) {
  const uint32_t length = static_cast<uint32_t>(12 + body.size());
  std::fwrite(&type, 4, 1, out_);
  std::fwrite(&length, 4, 1, out_);
  std::fwrite(body.data(), 1, body.size(), out_);
  std::fwrite(&length, 4, 1, out_);
}

uint32_t PcapngOutput::interface_id(uint32_t ifindex, uint16_t link_type) {
  auto key = std::make_pair(ifindex, link_type);
  auto found = interfaces_.find(key);
  if (found != interfaces_.end()) return found->second;
  const bool overflow = interfaces_.size() >= max_interfaces;
  if (overflow) {  // one shared interface per link type, keyed by an ifindex no sample has
    key.first = UINT32_MAX;
    found = interfaces_.find(key);
    if (found != interfaces_.end()) return found->second;
  }
  const uint32_t id = static_cast<uint32_t>(interfaces_.size());
  interfaces_.emplace(key, id);

  std::string body;
  put16(body, link_type);
  put16(body, 0);
  put32(body, 0);  // snaplen: no limit
  std::string name = overflow ? "other" : names_.name(ifindex);
  if (name.empty()) name = ifindex == 0 ? "unknown" : "ifindex" + std::to_string(ifindex);
  option(body, option_if_name, name.data(), name.size());
  const uint8_t nanoseconds = 9;
  option(body, option_if_tsresol, &nanoseconds, 1);
  put32(body, option_end);
  block(block_interface_description, body);
  return id;
}

void PcapngOutput::packet(uint32_t interface, uint64_t time_ns, psample::ByteView data, uint32_t original_length,
                          const char* comment, size_t comment_length) {
  std::string& body = packet_body_;  // reused: no allocation per packet once it has grown
  body.clear();
  put32(body, interface);
  put32(body, static_cast<uint32_t>(time_ns >> 32));
  put32(body, static_cast<uint32_t>(time_ns));
  put32(body, static_cast<uint32_t>(data.size()));
  put32(body, original_length >= data.size() ? original_length : static_cast<uint32_t>(data.size()));
  put(body, data.data(), data.size());
  pad4(body);
  option(body, option_comment, comment, comment_length);
  put32(body, option_end);
  block(block_enhanced_packet, body);
}

void PcapngOutput::sample(const psample::PacketView& p, uint64_t fallback_time_ns) {
  const uint32_t ifindex = p.has_in_ifindex() ? p.in_ifindex() : p.has_out_ifindex() ? p.out_ifindex() : 0;
  const uint32_t id = interface_id(ifindex, sample_link_type(p));
  char comment[160];
  const int length = std::snprintf(
      comment, sizeof comment, "psample group %" PRIu32 " seq %" PRIu32 " rate %" PRIu32 "%s%s", p.group(),
      p.group_seq(), p.sample_rate(), p.has_in_ifindex() ? " ingress" : "", p.has_out_ifindex() ? " egress" : "");
  packet(id, p.has_timestamp() ? p.timestamp() : fallback_time_ns, p.data(), p.has_orig_size() ? p.orig_size() : 0,
         comment, std::min(sizeof comment - 1, size_t(length)));
}

void PcapngOutput::drop(const psample::dropmon::DropView& d, uint64_t fallback_time_ns) {
  namespace attr = psample::dropmon::attr;
  const uint32_t id = interface_id(d.has_in_ifindex() ? d.in_ifindex() : 0, linktype_ethernet);
  char comment[256];
  int length;
  if (d.is_hardware())
    length = std::snprintf(comment, sizeof comment, "drop hw trap %.*s/%.*s", int(d.trap_group().size()),
                           d.trap_group().data(), int(d.trap_name().size()), d.trap_name().data());
  else
    length =
        std::snprintf(comment, sizeof comment, "drop %.*s at %.*s", d.has(attr::reason) ? int(d.reason().size()) : 7,
                      d.has(attr::reason) ? d.reason().data() : "unknown", int(d.symbol().size()), d.symbol().data());
  packet(id, d.has(attr::timestamp) ? d.timestamp_ns() : fallback_time_ns, d.payload(), d.orig_len(), comment,
         std::min(sizeof comment - 1, size_t(length)));
}

}  // namespace

std::unique_ptr<Output> make_pcapng_output(FILE* out, InterfaceNames& names) {
  return std::unique_ptr<Output>(new PcapngOutput(out, names));
}

}  // namespace dump
