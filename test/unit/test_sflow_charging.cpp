// psample-sflow's Exporter: pool and drops charged from the Receiver's verdict
// on each sample, checked on the datagrams it sends (test decoder).
#include <catch2/catch.hpp>

#include <initializer_list>
#include <utility>
#include <vector>

#include "exporter.hpp"
#include "psample/receiver.hpp"
#include "support/psample_wire.hpp"
#include "support/receivers.hpp"
#include "support/sflow_decoder.hpp"

using namespace psample;

namespace {

struct Charged {
  uint32_t seq, pool, drops;
  bool operator==(const Charged& o) const { return seq == o.seq && pool == o.pool && drops == o.drops; }
};

std::ostream& operator<<(std::ostream& os, const Charged& c) {
  return os << "{seq " << c.seq << " pool " << c.pool << " drops " << c.drops << "}";
}

// Exports group 1's samples with GROUP_SEQ `seqs` (rate 10, one data
// source), one datagram each, through a Receiver and an Exporter.
struct Run {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  std::vector<sflow_test::Sample> sent;
  sflow_agent::Exporter exporter{sflow_agent::ExporterOptions(), [this](ByteView d) {
                                   const auto datagram = sflow_test::decode(std::vector<uint8_t>(d.begin(), d.end()));
                                   sent.insert(sent.end(), datagram.samples.begin(), datagram.samples.end());
                                 }};

  std::vector<Charged> feed(std::initializer_list<uint32_t> seqs, uint32_t group = 1, uint16_t ifindex = 3) {
    std::vector<Charged> out;
    for (uint32_t seq : seqs) {
      wire::SampleSpec spec;
      spec.group = group;
      spec.seq = seq;
      spec.in_ifindex = ifindex;
      const wire::Bytes datagram = wire::aligned(wire::kernel_sample(spec));
      (void)receiver.process(wire::view(datagram), 0,
                             [&](const PacketView& p, const SampleSequence& s) { exporter.sample(p, s, 0); });
      exporter.flush();
      REQUIRE(!sent.empty());
      out.push_back({seq, sent.back().pool, sent.back().drops});
    }
    return out;
  }
};

using Charges = std::vector<Charged>;

}  // namespace

TEST_CASE("sflow charging: a gap is charged to the sample right after it", "[sflow]") {
  Run run;
  CHECK(run.feed({1, 2, 5, 6}) == Charges{{1, 10, 0}, {2, 20, 0}, {5, 50, 2}, {6, 60, 2}});
  // A gap just before the last sample is charged too: drops equal the Receiver's lost.
  CHECK(run.feed({9}) == Charges{{9, 90, 4}});
  CHECK(run.receiver.stats().lost == 4);
  CHECK(run.exporter.sources().at(3).drops == 4);
}

TEST_CASE("sflow charging: a late sample adds nothing, and its drop comes off the next charge", "[sflow]") {
  Run run;
  // 4 arrives after 5; 8 and 7 after 9. Pool counts every number once; drops
  // never decrease; the take-backs wait for a charge with loss in it.
  const Charges got = run.feed({1, 2, 5, 4, 6, 9, 8, 7, 10, 13});
  CHECK(got == Charges{{1, 10, 0},
                       {2, 20, 0},
                       {5, 50, 2},
                       {4, 50, 2},
                       {6, 60, 2},
                       {9, 90, 3},  // 2 lost, 1 taken back
                       {8, 90, 3},
                       {7, 90, 3},
                       {10, 100, 3},
                       {13, 130, 3}});  // 2 lost, 2 taken back
  const sflow_agent::SourceCounters& c = run.exporter.sources().at(3);
  CHECK(c.pool == 10u * (13 - 1 + 1));  // every sequence number once, delivered or lost
  CHECK(c.drops == run.receiver.stats().lost);
  CHECK(c.takebacks == 0);
  // A take-back still waiting: drops exceed lost by exactly that many.
  CHECK(run.feed({12, 14}) == Charges{{12, 130, 3}, {14, 140, 3}});
  CHECK(run.exporter.sources().at(3).takebacks == 1);
  CHECK(run.exporter.sources().at(3).drops == run.receiver.stats().lost + 1);
}

TEST_CASE("sflow charging: duplicates are ordinary samples; restarts charge their missing numbers only", "[sflow]") {
  Run run;
  CHECK(run.feed({1, 2, 2, 3}) == Charges{{1, 10, 0}, {2, 20, 0}, {2, 30, 0}, {3, 40, 0}});
  // A jump past max_sequence_jump: no loss. Then a restart far back: its first
  // sample is a straggler (nothing charged yet), the second confirms it and
  // charges the 2 numbers between them.
  CHECK(run.feed({300000, 300001, 7, 10, 11}) ==
        Charges{{300000, 50, 0}, {300001, 60, 0}, {7, 60, 0}, {10, 90, 2}, {11, 100, 2}});
  CHECK(run.receiver.stats().lost == 2);
  CHECK(run.exporter.sources().at(3).drops == 2);
}

TEST_CASE("sflow charging: each data source carries its own group's loss", "[sflow]") {
  Run run;
  // Group 1 on ifindex 3 and group 2 on ifindex 4, interleaved: a gap in one
  // is never charged to the other.
  CHECK(run.feed({1, 2}, 1, 3) == Charges{{1, 10, 0}, {2, 20, 0}});
  CHECK(run.feed({1, 4}, 2, 4) == Charges{{1, 10, 0}, {4, 40, 2}});
  CHECK(run.feed({3}, 1, 3) == Charges{{3, 30, 0}});
  CHECK(run.exporter.sources().at(3).drops == 0);
  CHECK(run.exporter.sources().at(4).drops == 2);
}
