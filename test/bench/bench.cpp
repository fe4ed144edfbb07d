// psample-bench: decode throughput of psample-cpp against floors and libmnl.
//
//   psample-bench --corpus FILE [--batches N] [--only NAME]
//
// FILE is a corpus (see corpus_generator.cpp: nlmsghdr-framed messages back
// to back, each padded to 4 bytes). Every decoder walks the whole corpus once
// per batch; the figure is the median batch, in ns per sample. Decoders:
//   memcpy        floor: copy each message to a scratch buffer
//   hand-switch   floor: a minimal hand-written C switch decoder
//   packetview    psample::decode() to a PacketView
//   packet-copy   decode() plus a psample::Packet copy
//   receiver      Receiver::process() per message: policy, counters, handler
//   libmnl        mnl_attr_parse() with a validating callback (if built with libmnl)
// --only NAME runs one decoder (or "none": only the setup), for instruction
// counting under callgrind (test/bench/run-bench.sh).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "psample/psample.hpp"
#include "support/receivers.hpp"

#if PSAMPLE_BENCH_WITH_LIBMNL
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#endif

namespace {

struct Corpus {
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> offsets;  // start of each message
  std::vector<uint32_t> lengths;
};

bool load(const char* path, Corpus& corpus) {
  FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return false;
  uint8_t chunk[65536];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) corpus.bytes.insert(corpus.bytes.end(), chunk, chunk + n);
  std::fclose(f);
  size_t at = 0;
  while (at + 16 <= corpus.bytes.size()) {
    uint32_t length;
    std::memcpy(&length, corpus.bytes.data() + at, 4);
    if (length < 16 || length > corpus.bytes.size() - at) {
      std::fprintf(stderr, "psample-bench: broken message at offset %zu\n", at);
      return false;
    }
    corpus.offsets.push_back(uint32_t(at));
    corpus.lengths.push_back(length);
    at += (length + 3) & ~3u;
  }
  return !corpus.offsets.empty();
}

// Every decoder returns the sum of group + seq + data length over the corpus,
// so they can be checked against each other.
//
// Each decoded sample is also handed to escape(), as a real caller would hand
// it on: without it the compiler drops every field the sum does not read
// (it did: the hand-written floor kept 3 of its 8 attributes), and the floor
// would measure less work than a decoder does.
template <class T>
inline void escape(const T& value) {
#if defined(__GNUC__)
  asm volatile("" : : "r"(&value) : "memory");
#else
  static const volatile void* sink;
  sink = &value;
#endif
}
using Decoder = uint64_t (*)(const Corpus&);

uint64_t run_memcpy(const Corpus& c) {
  static uint8_t scratch[65600];
  uint64_t sum = 0;
  for (size_t i = 0; i < c.offsets.size(); ++i) {
    std::memcpy(scratch, c.bytes.data() + c.offsets[i], c.lengths[i]);
    sum += scratch[20];
  }
  return sum;
}

// The floor: what a careful C programmer writes by hand for these attributes.
struct HandSample {
  uint32_t group, seq, rate, origsize, iif;
  uint64_t timestamp;
  const uint8_t* data;
  uint32_t data_length;
};

uint64_t run_hand_switch(const Corpus& c) {
  uint64_t sum = 0;
  for (size_t i = 0; i < c.offsets.size(); ++i) {
    if (c.bytes[c.offsets[i] + 16] != 0) continue;  // genlmsghdr.cmd: not PSAMPLE_CMD_SAMPLE
    const uint8_t* p = c.bytes.data() + c.offsets[i] + 20;
    const uint8_t* end = c.bytes.data() + c.offsets[i] + c.lengths[i];
    HandSample s{};
    while (end - p >= 4) {
      uint16_t len, type;
      std::memcpy(&len, p, 2);
      std::memcpy(&type, p + 2, 2);
      if (len < 4 || len > end - p) break;
      const uint8_t* v = p + 4;
      switch (type & 0x3fff) {
        case 0: {
          uint16_t x;
          std::memcpy(&x, v, 2);
          s.iif = x;
          break;
        }
        case 2: std::memcpy(&s.origsize, v, 4); break;
        case 3: std::memcpy(&s.group, v, 4); break;
        case 4: std::memcpy(&s.seq, v, 4); break;
        case 5: std::memcpy(&s.rate, v, 4); break;
        case 6:
          s.data = v;
          s.data_length = len - 4u;
          break;
        case 13: std::memcpy(&s.timestamp, v, 8); break;
        default: break;
      }
      p += (len + 3) & ~3;
    }
    escape(s);
    sum += uint64_t(s.group) + s.seq + s.data_length;
  }
  return sum;
}

uint64_t run_packetview(const Corpus& c) {
  uint64_t sum = 0;
  for (size_t i = 0; i < c.offsets.size(); ++i) {
    auto p = psample::decode(psample::ByteView(c.bytes.data() + c.offsets[i], c.lengths[i]));
    if (!p) continue;
    escape(*p);
    sum += uint64_t(p->group()) + p->group_seq() + p->data().size();
  }
  return sum;
}

uint64_t run_packet_copy(const Corpus& c) {
  uint64_t sum = 0;
  for (size_t i = 0; i < c.offsets.size(); ++i) {
    auto p = psample::decode(psample::ByteView(c.bytes.data() + c.offsets[i], c.lengths[i]));
    if (!p) continue;
    psample::Packet kept(*p);
    escape(kept);
    sum += uint64_t(kept.group()) + kept.group_seq() + kept.data().size();
  }
  return sum;
}

uint64_t run_receiver(const Corpus& c) {
  static psample::Receiver receiver = support::detached_receiver(0x1c);
  uint64_t sum = 0;
  auto handler = [&](const psample::PacketView& p) {
    escape(p);
    sum += uint64_t(p.group()) + p.group_seq() + p.data().size();
  };
  for (size_t i = 0; i < c.offsets.size(); ++i) {
    receiver.process(psample::ByteView(c.bytes.data() + c.offsets[i], c.lengths[i]), 0, handler);
  }
  return sum;
}

#if PSAMPLE_BENCH_WITH_LIBMNL
// The libmnl idiom (as libpsample uses it): parse into a table with a
// validating callback, then read the fields.
int mnl_callback(const struct nlattr* attr, void* data) {
  const struct nlattr** table = static_cast<const struct nlattr**>(data);
  const int type = mnl_attr_get_type(attr);
  if (mnl_attr_type_valid(attr, 16) < 0) return MNL_CB_OK;
  switch (type) {
    case 0:
    case 1:
    case 10:
    case 14:
      if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0) return MNL_CB_ERROR;
      break;
    case 2:
    case 3:
    case 4:
    case 5:
      if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) return MNL_CB_ERROR;
      break;
    case 11:
    case 12:
    case 13:
      if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0) return MNL_CB_ERROR;
      break;
    default: break;
  }
  table[type] = attr;
  return MNL_CB_OK;
}

uint64_t run_libmnl(const Corpus& c) {
  uint64_t sum = 0;
  for (size_t i = 0; i < c.offsets.size(); ++i) {
    const struct nlmsghdr* nlh = reinterpret_cast<const struct nlmsghdr*>(c.bytes.data() + c.offsets[i]);
    const struct nlattr* table[17] = {};
    if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), mnl_callback, table) < 0) continue;
    escape(table);
    if (table[3] && table[4] && table[6]) {
      sum += uint64_t(mnl_attr_get_u32(table[3])) + mnl_attr_get_u32(table[4]) + mnl_attr_get_payload_len(table[6]);
    }
  }
  return sum;
}
#endif

struct Entry {
  const char* name;
  const char* label;
  Decoder run;
};

const Entry entries[] = {
    {"memcpy", "memcpy floor", run_memcpy},
    {"hand-switch", "hand-written switch floor", run_hand_switch},
    {"packetview", "psample::decode -> PacketView", run_packetview},
    {"packet-copy", "decode + Packet copy", run_packet_copy},
    {"receiver", "Receiver::process loop", run_receiver},
#if PSAMPLE_BENCH_WITH_LIBMNL
    {"libmnl", "libmnl mnl_attr_parse + callback", run_libmnl},
#endif
};

}  // namespace

int main(int argc, char** argv) {
  const char* corpus_path = nullptr;
  int batches = 15;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--corpus" && i + 1 < argc)
      corpus_path = argv[++i];
    else if (arg == "--batches" && i + 1 < argc)
      batches = std::atoi(argv[++i]);
    else if (arg == "--only" && i + 1 < argc)
      only = argv[++i];
    else {
      std::fprintf(stderr, "usage: psample-bench --corpus FILE [--batches N] [--only NAME|none]\n");
      return 2;
    }
  }
  Corpus corpus;
  if (corpus_path == nullptr || !load(corpus_path, corpus) || batches < 1) {
    std::fprintf(stderr, "psample-bench: need --corpus FILE with at least one message (and --batches >= 1)\n");
    return 2;
  }
  const size_t samples = corpus.offsets.size();
  if (only == "none") return 0;
  if (only.empty()) {
    std::printf("corpus %s: %zu samples, %.1f bytes per message; median of %d batches\n", corpus_path, samples,
                double(corpus.bytes.size()) / double(samples), batches);
    std::printf("%-34s %10s %14s %12s %12s\n", "decoder", "ns/sample", "samples/s", "vs floor", "libmnl/this");
  }

  // Batches are interleaved (each round times every decoder once), so a slow
  // spell of this shared machine hits every decoder alike and the ratios of
  // one run stay comparable.
  std::vector<const Entry*> chosen;
  for (const Entry& entry : entries) {
    if (only.empty() || only == entry.name) chosen.push_back(&entry);
  }
  std::vector<std::vector<double>> per_sample(chosen.size());
  std::vector<uint64_t> checksums(chosen.size());
  for (int b = 0; b < batches; ++b) {
    for (size_t d = 0; d < chosen.size(); ++d) {
      const auto start = std::chrono::steady_clock::now();
      checksums[d] = chosen[d]->run(corpus);
      const auto stop = std::chrono::steady_clock::now();
      per_sample[d].push_back(std::chrono::duration<double, std::nano>(stop - start).count() / double(samples));
    }
  }
  double floor_ns = 0, libmnl_ns = 0;
  uint64_t reference = 0;
  std::vector<std::pair<const Entry*, double>> results;
  for (size_t d = 0; d < chosen.size(); ++d) {
    std::sort(per_sample[d].begin(), per_sample[d].end());
    const double median = per_sample[d][per_sample[d].size() / 2];
    const char* name = chosen[d]->name;
    if (std::strcmp(name, "hand-switch") == 0) {
      floor_ns = median;
      reference = checksums[d];
    }
    if (std::strcmp(name, "libmnl") == 0) libmnl_ns = median;
    if (reference != 0 && std::strcmp(name, "memcpy") != 0 && checksums[d] != reference) {
      std::fprintf(stderr, "psample-bench: %s disagrees with the floor (checksum %llu vs %llu)\n", name,
                   (unsigned long long)checksums[d], (unsigned long long)reference);
      return 1;
    }
    results.emplace_back(chosen[d], median);
  }
  if (!only.empty()) return results.empty() ? 2 : 0;
  for (const auto& r : results) {
    char vs_floor[32] = "", vs_libmnl[32] = "";
    if (floor_ns > 0) std::snprintf(vs_floor, sizeof vs_floor, "%.2fx", r.second / floor_ns);
    if (libmnl_ns > 0) std::snprintf(vs_libmnl, sizeof vs_libmnl, "%.2fx", libmnl_ns / r.second);
    std::printf("%-34s %10.1f %14.0f %12s %12s\n", r.first->label, r.second, 1e9 / r.second, vs_floor, vs_libmnl);
  }
  return 0;
}
