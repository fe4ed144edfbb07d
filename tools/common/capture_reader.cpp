#include "capture_reader.hpp"

#include <cstdio>
#include <cstring>

#include "psample/netlink/genl_controller.hpp"
#include "psample/netlink/message.hpp"
#include "psample/protocol.hpp"

namespace tools {

namespace {
constexpr uint32_t pcap_magic_us = 0xa1b2c3d4;
constexpr uint32_t pcap_magic_ns = 0xa1b23c4d;
constexpr uint32_t pcapng_section = 0x0A0D0D0A;
constexpr uint32_t pcapng_bom = 0x1A2B3C4D;
constexpr size_t max_record = 1u << 20;  // no netlink datagram comes close

uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }
uint16_t bswap16(uint16_t v) { return __builtin_bswap16(v); }

uint64_t pow10(unsigned n) {
  uint64_t v = 1;
  while (n--) v *= 10;
  return v;
}
}  // namespace

bool CaptureReader::fail(const std::string& why) {
  error_ = name_ + ": " + why;
  return false;
}

uint16_t CaptureReader::u16(size_t offset) const {
  uint16_t v;
  std::memcpy(&v, file_.data() + offset, 2);
  return swapped_ ? bswap16(v) : v;
}

uint32_t CaptureReader::u32(size_t offset) const {
  uint32_t v;
  std::memcpy(&v, file_.data() + offset, 4);
  return swapped_ ? bswap32(v) : v;
}

bool CaptureReader::open(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    name_ = path;
    return fail(std::string("cannot open: ") + std::strerror(errno));
  }
  std::vector<uint8_t> bytes;
  uint8_t chunk[65536];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
  const bool read_error = std::ferror(f) != 0;
  std::fclose(f);
  name_ = path;
  if (read_error) return fail("read error");
  return open_bytes(std::move(bytes), path);
}

bool CaptureReader::open_bytes(std::vector<uint8_t> bytes, const std::string& name) {
  name_ = name;
  file_ = std::move(bytes);
  error_.clear();
  interfaces_.clear();
  if (file_.size() < 4)
    return fail("too short to be a pcap or pcapng file (" + std::to_string(file_.size()) + " bytes)");
  uint32_t magic;
  std::memcpy(&magic, file_.data(), 4);
  if (magic == pcapng_section) {
    pcapng_ = true;
    position_ = first_record_ = 0;  // the section header is read as a block
    return true;
  }
  pcapng_ = false;
  if (magic == pcap_magic_us || magic == pcap_magic_ns)
    swapped_ = false;
  else if (bswap32(magic) == pcap_magic_us || bswap32(magic) == pcap_magic_ns)
    swapped_ = true;
  else {
    char text[64];
    std::snprintf(text, sizeof text, "not a pcap or pcapng file (magic 0x%08x)", magic);
    return fail(text);
  }
  nanosecond_pcap_ = (swapped_ ? bswap32(magic) : magic) == pcap_magic_ns;
  if (file_.size() < 24) return fail("pcap file header is truncated");
  pcap_link_type_ = u32(20) & 0xffff;
  position_ = first_record_ = 24;
  return true;
}

void CaptureReader::rewind() {
  position_ = first_record_;
  if (pcapng_) interfaces_.clear();
}

int CaptureReader::next(CaptureRecord& record) {
  if (!error_.empty()) return -1;
  return pcapng_ ? next_pcapng(record) : next_pcap(record);
}

int CaptureReader::next_pcap(CaptureRecord& record) {
  const size_t remaining = file_.size() - position_;
  if (remaining == 0) return 0;
  if (remaining < 16) return fail("record header at offset " + std::to_string(position_) + " is truncated"), -1;
  const uint32_t seconds = u32(position_), fraction = u32(position_ + 4);
  const uint32_t captured = u32(position_ + 8);
  if (captured > max_record) {
    return fail("record at offset " + std::to_string(position_) + " claims " + std::to_string(captured) +
                " bytes, more than any netlink datagram"),
           -1;
  }
  if (captured > remaining - 16) {
    return fail("record at offset " + std::to_string(position_) + " claims " + std::to_string(captured) +
                " bytes but the file ends after " + std::to_string(remaining - 16)),
           -1;
  }
  record.time_ns = uint64_t(seconds) * 1000000000u + (nanosecond_pcap_ ? fraction : uint64_t(fraction) * 1000u);
  record.link_type = pcap_link_type_;
  record.data = psample::ByteView(file_.data() + position_ + 16, captured);
  position_ += 16 + captured;
  return 1;
}

int CaptureReader::next_pcapng(CaptureRecord& record) {
  for (;;) {
    const size_t remaining = file_.size() - position_;
    if (remaining == 0) return 0;
    const std::string at = "at offset " + std::to_string(position_);
    if (remaining < 12) return fail("block " + at + " is truncated"), -1;
    uint32_t type;
    std::memcpy(&type, file_.data() + position_, 4);
    if (type == pcapng_section) {
      if (remaining < 28) return fail("section header block " + at + " is truncated"), -1;
      uint32_t bom;
      std::memcpy(&bom, file_.data() + position_ + 8, 4);
      if (bom == pcapng_bom)
        swapped_ = false;
      else if (bswap32(bom) == pcapng_bom)
        swapped_ = true;
      else
        return fail("section header block " + at + " has no valid byte-order magic"), -1;
      interfaces_.clear();
    } else {
      type = swapped_ ? bswap32(type) : type;
    }
    const uint32_t length = u32(position_ + 4);
    if (length < 12 || length % 4 != 0 || length > remaining) {
      return fail("block " + at + " claims length " + std::to_string(length) + " (file has " +
                  std::to_string(remaining) + " bytes left; lengths are multiples of 4, at least 12)"),
             -1;
    }
    if (u32(position_ + length - 4) != length)
      return fail("block " + at + ": its trailing length differs from its leading one"), -1;
    const size_t body = position_ + 8, body_length = length - 12;
    position_ += length;

    if (type == 1) {  // interface description
      if (body_length < 8) return fail("interface description block " + at + " is truncated"), -1;
      Interface interface { u16(body), 1000000 };  // default resolution: microseconds
      size_t option = body + 8;
      const size_t end = body + body_length;
      while (option + 4 <= end) {
        const uint16_t code = u16(option), option_length = u16(option + 2);
        if (code == 0) break;
        if (option + 4 + option_length > end)
          return fail("an interface option of the block " + at + " runs past the block"), -1;
        if (code == 9 && option_length >= 1) {
          const uint8_t resolution = file_[option + 4];
          const unsigned exponent = resolution & 0x7f;
          if (resolution & 0x80) {
            if (exponent > 63)
              return fail("if_tsresol 2^-" + std::to_string(exponent) + " in the block " + at + " is absurd"), -1;
            interface.units_per_second = uint64_t(1) << exponent;
          } else {
            if (exponent > 19)
              return fail("if_tsresol 10^-" + std::to_string(exponent) + " in the block " + at + " is absurd"), -1;
            interface.units_per_second = pow10(exponent);
          }
        }
        option += 4 + ((option_length + 3u) & ~3u);
      }
      interfaces_.push_back(interface);
      continue;
    }
    uint32_t interface_id = 0, captured = 0;
    uint64_t timestamp = 0;
    size_t data = 0;
    if (type == 6 || type == 2) {  // enhanced packet, obsolete packet
      if (body_length < 20) return fail("packet block " + at + " is truncated"), -1;
      interface_id = type == 6 ? u32(body) : u16(body);
      timestamp = uint64_t(u32(body + 4)) << 32 | u32(body + 8);
      captured = u32(body + 12);
      data = body + 20;
      if (captured > body_length - 20) {
        return fail("packet block " + at + " claims " + std::to_string(captured) + " captured bytes in a " +
                    std::to_string(body_length - 20) + "-byte body"),
               -1;
      }
    } else if (type == 3) {  // simple packet: no timestamp, interface 0
      if (body_length < 4) return fail("simple packet block " + at + " is truncated"), -1;
      const uint32_t original = u32(body);
      captured = original < body_length - 4 ? original : uint32_t(body_length - 4);
      data = body + 4;
    } else {
      continue;  // name resolution, statistics, custom blocks...
    }
    if (interface_id >= interfaces_.size()) {
      return fail("packet block " + at + " names interface " + std::to_string(interface_id) + " but only " +
                  std::to_string(interfaces_.size()) + " were described"),
             -1;
    }
    const Interface& interface = interfaces_[interface_id];
    const uint64_t seconds = timestamp / interface.units_per_second;
    const uint64_t rest = timestamp % interface.units_per_second;
    record.time_ns = seconds * 1000000000u + uint64_t(static_cast<long double>(rest) * 1e9L /
                                                      static_cast<long double>(interface.units_per_second));
    record.link_type = interface.link_type;
    record.data = psample::ByteView(file_.data() + data, captured);
    return 1;
  }
}

psample::ByteView generic_netlink_payload(const CaptureRecord& record) {
  constexpr uint16_t arphrd_netlink = 824;
  constexpr uint16_t netlink_generic = 16;
  if (record.link_type != linktype_netlink) return {};
  const psample::ByteView d = record.data;
  if (d.size() >= 16 && (d[2] << 8 | d[3]) == arphrd_netlink) {
    if ((d[14] << 8 | d[15]) != netlink_generic) return {};
    return d.subview(16);
  }
  return d;  // no cooked header: taken to be generic netlink
}

int find_family_id(CaptureReader& reader, const char* family_name) {
  CaptureRecord record;
  int id = -1;
  while (id < 0 && reader.next(record) == 1) {
    psample::netlink::MessageReader messages(generic_netlink_payload(record));
    psample::netlink::Message m;
    while (messages.next(m)) {
      if (m.type != psample::netlink::genl_controller_id) continue;
      auto family = psample::netlink::parse_family(m.bytes);
      if (family && std::strcmp(family->name, family_name) == 0) id = family->id;
    }
  }
  reader.rewind();
  return id;
}

}  // namespace tools
