// psample-corpus: writes deterministic benchmark corpora.
//
//   psample-corpus default|small|large|hwpad COUNT FILE
//
// Corpus format (also what --corpus reads, and what test/data/*/capture.nlmsgs
// holds): netlink messages laid back to back as they come off the socket,
// each nlmsghdr-framed and padded to NLMSG_ALIGN (4 bytes). Nothing else: no
// file header, no per-message framing beyond nlmsg_len.
//
//   default  act_sample ingress as kernel 6.1 builds it, DATA 64-128 bytes
//   small    the same, DATA 64 bytes
//   large    the same, DATA 1500 bytes
//   hwpad    a switch driver on a strict-alignment architecture: OUT_TC,
//            OUT_TC_OCC, LATENCY and TIMESTAMP with PAD attributes before the
//            u64s, DATA 64-128 bytes
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr uint16_t family_id = 0x1c;  // what kernels usually assign psample

struct Writer {
  std::vector<uint8_t> bytes;
  size_t message_start = 0;

  void raw(const void* p, size_t n) { bytes.insert(bytes.end(), (const uint8_t*)p, (const uint8_t*)p + n); }
  void pad() {
    while (bytes.size() % 4) bytes.push_back(0);
  }
  void begin(uint32_t seq) {
    message_start = bytes.size();
    const uint32_t len = 0, pid = 0;
    const uint16_t type = family_id, flags = 0;
    raw(&len, 4);
    raw(&type, 2);
    raw(&flags, 2);
    raw(&seq, 4);
    raw(&pid, 4);
    const uint8_t genl[4] = {0 /* PSAMPLE_CMD_SAMPLE */, 1, 0, 0};
    raw(genl, 4);
  }
  void attr(uint16_t type, const void* p, size_t n) {
    const uint16_t len = uint16_t(4 + n);
    raw(&len, 2);
    raw(&type, 2);
    raw(p, n);
    pad();
  }
  template <class T>
  void attr(uint16_t type, T value) {
    attr(type, &value, sizeof value);
  }
  // nla_put_u64_64bit on an architecture without efficient unaligned access:
  // a PAD attribute first when the u64 payload would not be 8-aligned.
  void attr_u64_padded(uint16_t type, uint64_t value) {
    if ((bytes.size() - message_start + 4) % 8 != 0) attr(9, nullptr, 0);
    attr(type, value);
  }
  void end() {
    const uint32_t len = uint32_t(bytes.size() - message_start);
    std::memcpy(bytes.data() + message_start, &len, 4);
  }
};

uint64_t state = 0x9e3779b97f4a7c15ull;
uint32_t next_random() {  // xorshift64*: deterministic across runs and machines
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return uint32_t((state * 0x2545f4914f6cdd1dull) >> 32);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: psample-corpus default|small|large|hwpad COUNT FILE\n");
    return 2;
  }
  const std::string kind = argv[1];
  const long count = std::strtol(argv[2], nullptr, 10);
  if ((kind != "default" && kind != "small" && kind != "large" && kind != "hwpad") || count <= 0) {
    std::fprintf(stderr, "psample-corpus: unknown kind '%s' or bad count\n", kind.c_str());
    return 2;
  }
  Writer w;
  uint64_t timestamp = 1764170000000000000ull;
  for (long i = 0; i < count; ++i) {
    const uint32_t group = 1 + next_random() % 4;
    size_t data_length = 64 + next_random() % 65;
    if (kind == "small") data_length = 64;
    if (kind == "large") data_length = 1500;
    const uint32_t orig_size = uint32_t(data_length + (next_random() % 2 ? 0 : next_random() % 1400));
    std::vector<uint8_t> data(data_length);
    for (auto& b : data) b = uint8_t(next_random());
    timestamp += 1000 + next_random() % 100000;

    w.begin(uint32_t(i));
    w.attr<uint16_t>(0, uint16_t(2 + next_random() % 30));                       // IIFINDEX
    if (kind == "hwpad") w.attr<uint16_t>(1, uint16_t(2 + next_random() % 30));  // OIFINDEX
    w.attr<uint32_t>(5, 1 + next_random() % 1000);                               // SAMPLE_RATE
    w.attr<uint32_t>(2, orig_size);                                              // ORIGSIZE
    w.attr<uint32_t>(3, group);                                                  // SAMPLE_GROUP
    w.attr<uint32_t>(4, uint32_t(i));                                            // GROUP_SEQ
    if (kind == "hwpad") {
      w.attr<uint16_t>(10, uint16_t(next_random() % 8));  // OUT_TC
      w.attr_u64_padded(11, next_random());               // OUT_TC_OCC
      w.attr_u64_padded(12, next_random() % 100000);      // LATENCY
      w.attr_u64_padded(13, timestamp);                   // TIMESTAMP
    } else {
      w.attr<uint64_t>(13, timestamp);  // TIMESTAMP, 4-byte aligned as on x86
    }
    w.attr<uint16_t>(14, 0x0800);         // PROTO
    w.attr(6, data.data(), data.size());  // DATA
    w.end();
  }
  FILE* out = std::fopen(argv[3], "wb");
  if (out == nullptr || std::fwrite(w.bytes.data(), 1, w.bytes.size(), out) != w.bytes.size() ||
      std::fclose(out) != 0) {
    std::perror("psample-corpus: write");
    return 1;
  }
  std::printf("%s: %ld %s samples, %zu bytes\n", argv[3], count, kind.c_str(), w.bytes.size());
  return 0;
}
