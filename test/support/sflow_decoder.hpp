// Test-only sFlow v5 datagram decoder, written from the sFlow v5
// specification, to round-trip psample-cpp-sflow's writer. Strict: every
// length is checked against the bytes there are, and a datagram must end
// exactly where its last sample does.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sflow_test {

struct Record {
  uint32_t format = 0;
  std::vector<uint8_t> data;
};

struct Sample {
  uint32_t format = 0;
  uint32_t sequence = 0, source_type = 0, source_index = 0;
  // flow samples (format 3); discarded packets (format 5): drops, input, output, reason
  uint32_t rate = 0, pool = 0, drops = 0, input_format = 0, input = 0, output_format = 0, output = 0;
  uint32_t reason = 0;
  std::vector<Record> records;
};

struct Datagram {
  uint32_t version = 0, address_type = 0;
  std::vector<uint8_t> agent;
  uint32_t sub_agent = 0, sequence = 0, uptime = 0;
  std::vector<Sample> samples;
};

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  uint32_t u32() {
    need(4);
    const uint32_t v = uint32_t(p_[0]) << 24 | uint32_t(p_[1]) << 16 | uint32_t(p_[2]) << 8 | p_[3];
    p_ += 4;
    return v;
  }
  uint64_t u64() {
    const uint64_t high = u32();
    return high << 32 | u32();
  }
  std::vector<uint8_t> bytes(size_t n) {
    need(n);
    std::vector<uint8_t> out(p_, p_ + n);
    p_ += n;
    return out;
  }
  std::vector<uint8_t> opaque() {
    const uint32_t n = u32();
    auto out = bytes(n);
    bytes((4 - n % 4) % 4);  // padding
    return out;
  }
  size_t left() const { return size_t(end_ - p_); }

 private:
  void need(size_t n) const {
    if (left() < n) throw std::runtime_error("sFlow datagram ends early");
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

inline Datagram decode(const std::vector<uint8_t>& bytes) {
  Reader r(bytes.data(), bytes.size());
  Datagram d;
  d.version = r.u32();
  d.address_type = r.u32();
  if (d.address_type != 1 && d.address_type != 2) throw std::runtime_error("bad agent address type");
  d.agent = r.bytes(d.address_type == 1 ? 4 : 16);
  d.sub_agent = r.u32();
  d.sequence = r.u32();
  d.uptime = r.u32();
  const uint32_t count = r.u32();
  for (uint32_t i = 0; i < count; ++i) {
    Sample s;
    s.format = r.u32();
    const std::vector<uint8_t> body = r.bytes(r.u32());
    Reader b(body.data(), body.size());
    s.sequence = b.u32();
    s.source_type = b.u32();
    s.source_index = b.u32();
    if (s.format == 3) {
      s.rate = b.u32();
      s.pool = b.u32();
      s.drops = b.u32();
      s.input_format = b.u32();
      s.input = b.u32();
      s.output_format = b.u32();
      s.output = b.u32();
    } else if (s.format == 5) {
      s.drops = b.u32();
      s.input = b.u32();
      s.output = b.u32();
      s.reason = b.u32();
    }
    const uint32_t records = b.u32();
    for (uint32_t k = 0; k < records; ++k) {
      Record rec;
      rec.format = b.u32();
      rec.data = b.opaque();
      s.records.push_back(rec);
    }
    if (b.left() != 0) throw std::runtime_error("sample length disagrees with its records");
    d.samples.push_back(s);
  }
  if (r.left() != 0) throw std::runtime_error("bytes after the last sample");
  return d;
}

// Raw packet header record (format 1).
struct RawHeader {
  uint32_t protocol = 0, frame_length = 0, stripped = 0;
  std::vector<uint8_t> header;
};
inline RawHeader raw_header(const Record& record) {
  Reader r(record.data.data(), record.data.size());
  RawHeader h;
  h.protocol = r.u32();
  h.frame_length = r.u32();
  h.stripped = r.u32();
  h.header = r.opaque();
  if (r.left() != 0) throw std::runtime_error("raw header record too long");
  return h;
}

inline uint32_t u32_record(const Record& record) {
  Reader r(record.data.data(), record.data.size());
  const uint32_t v = r.u32();
  if (r.left() != 0) throw std::runtime_error("record too long");
  return v;
}

// A record that is one XDR string (function 1038, Linux reason 1042), or
// the `index`-th of several (hardware trap 1041: group, name).
inline std::string string_record(const Record& record, size_t index = 0) {
  Reader r(record.data.data(), record.data.size());
  std::vector<uint8_t> text;
  for (size_t i = 0; i <= index; ++i) text = r.opaque();
  return std::string(text.begin(), text.end());
}

}  // namespace sflow_test
