// psample-cpp tools: reads pcap and pcapng files (hand-written; no libpcap).
// Every length is checked against the file: a hostile or truncated file
// gives an error that names the offset, never a read outside the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "psample/bytes.hpp"

namespace tools {

constexpr uint32_t linktype_netlink = 253;

struct CaptureRecord {
  uint64_t time_ns = 0;
  uint32_t link_type = 0;
  psample::ByteView data;  // points into the reader's copy of the file
};

class CaptureReader {
 public:
  // Reads the whole file. False (with error()) if it cannot be read or is
  // neither pcap nor pcapng.
  bool open(const std::string& path);
  // Parses a capture already in memory (for tests and fuzzing).
  bool open_bytes(std::vector<uint8_t> bytes, const std::string& name);
  // 1: a record; 0: end of file; -1: broken file (see error()).
  int next(CaptureRecord& record);
  const std::string& error() const { return error_; }
  // Rewinds to the first record.
  void rewind();

 private:
  struct Interface {
    uint32_t link_type;
    uint64_t units_per_second;  // timestamp resolution
  };
  int next_pcap(CaptureRecord& record);
  int next_pcapng(CaptureRecord& record);
  bool fail(const std::string& why);
  uint16_t u16(size_t offset) const;
  uint32_t u32(size_t offset) const;

  std::string name_;
  std::vector<uint8_t> file_;
  std::string error_;
  bool pcapng_ = false;
  bool swapped_ = false;
  bool nanosecond_pcap_ = false;
  uint32_t pcap_link_type_ = 0;
  size_t position_ = 0;
  size_t first_record_ = 0;
  std::vector<Interface> interfaces_;
};

// The netlink messages of a LINKTYPE_NETLINK record: without the 16-byte
// cooked header (hatype ARPHRD_NETLINK) when there is one. Empty when the
// record is not generic netlink (e.g. rtnetlink traffic on the same nlmon).
psample::ByteView generic_netlink_payload(const CaptureRecord& record);

// A generic netlink family's id in a capture ("psample", "NET_DM"): from
// its GETFAMILY reply (or NEWFAMILY notification); -1 when it holds none.
// Rewinds the reader.
int find_family_id(CaptureReader& reader, const char* family_name);

}  // namespace tools
