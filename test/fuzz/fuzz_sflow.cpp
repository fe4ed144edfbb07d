// libFuzzer target: the sFlow export of any sample psample-cpp decodes.
// Seeded with the decode target's corpus (PacketView inputs). Each decoded
// sample goes through psample-sflow's Exporter three times, into datagrams of
// a size the input picks; every datagram must decode with the test decoder
// (support/sflow_decoder.hpp: every length checked), fit its size, and carry
// the sample's header bytes (a prefix of DATA, clipped only to fit).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "exporter.hpp"
#include "psample/decode.hpp"
#include "support/sflow_decoder.hpp"

#define SFLOW_CHECK(condition)                                                          \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "fuzz-sflow: %s failed at line %d\n", #condition, __LINE__); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto p = psample::decode(psample::ByteView(data, size));
  if (!p) return 0;
  sflow_agent::ExporterOptions options;
  options.max_datagram = 200 + (size > 0 ? size_t(data[0]) * 8 : 0);
  options.header_bytes = 1 + (size > 1 ? size_t(data[1]) * 4 : 128);
  if (size > 2 && (data[2] & 1)) options.egress_groups.insert(p->group());
  size_t datagrams = 0, samples = 0;
  sflow_agent::Exporter exporter(options, [&](psample::ByteView d) {
    SFLOW_CHECK(d.size() <= options.max_datagram);
    try {
      const sflow_test::Datagram decoded = sflow_test::decode(std::vector<uint8_t>(d.begin(), d.end()));
      SFLOW_CHECK(decoded.version == 5);
      for (const sflow_test::Sample& s : decoded.samples) {
        SFLOW_CHECK(s.format == 3 && !s.records.empty());
        const sflow_test::RawHeader h = sflow_test::raw_header(s.records[0]);
        const psample::ByteView want = p->data().subview(0, std::min(p->data().size(), options.header_bytes));
        SFLOW_CHECK(h.header.size() <= want.size());
        SFLOW_CHECK(h.header.empty() || std::memcmp(h.header.data(), want.data(), h.header.size()) == 0);
        SFLOW_CHECK(s.input == p->in_ifindex() && s.output == p->out_ifindex());
        ++samples;
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuzz-sflow: the datagram does not decode: %s\n", e.what());
      std::abort();
    }
    ++datagrams;
  });
  // Verdicts from the input too: every charge path, including the largest loss.
  psample::SampleSequence sequence;
  if (size > 3) sequence.verdict = psample::SampleSequence::Verdict(data[3] % 7);
  if (size > 4) sequence.lost = (data[4] & 1) ? psample::max_sequence_jump : data[4];
  uint64_t pool = 0, drops = 0;
  for (int i = 0; i < 3; ++i) {
    exporter.sample(*p, sequence, 1000);
    // sFlow's pool and drops are counters: they never decrease.
    SFLOW_CHECK(exporter.sources().size() == 1);
    const sflow_agent::SourceCounters& c = exporter.sources().begin()->second;
    SFLOW_CHECK(c.pool >= pool && c.drops >= drops);
    pool = c.pool;
    drops = c.drops;
  }
  exporter.flush();
  SFLOW_CHECK(samples == 3 && exporter.datagrams() == datagrams);
  return 0;
}
