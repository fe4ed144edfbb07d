// Golden drop monitor captures: what real kernels (6.1 and 6.12) sent on
// NET_DM, as an nlmon device saw it (test/data/dropmon-*/nlmon.pcap), replayed
// through a detached DropMonitor as `psample-dump --drops -r` does, and
// compared field by field with what the recording scenario sent
// (expected.txt), never with a previous run of our own decoder.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "capture_reader.hpp"
#include "psample/dropmon/drop.hpp"
#include "psample/dropmon/drop_monitor.hpp"
#include "support/golden.hpp"

using namespace psample;
using namespace psample::dropmon;

namespace {

std::vector<uint8_t> bytes(ByteView v) { return std::vector<uint8_t>(v.begin(), v.end()); }

struct Replayed {
  std::vector<Drop> drops;
  uint64_t summary_total = 0;
  size_t summaries = 0;
  DropMonitorStats stats;
};

Replayed replay(const std::string& path) {
  tools::CaptureReader reader;
  REQUIRE(reader.open(path));
  const int id = tools::find_family_id(reader, family_name);
  REQUIRE(id > 0);
  auto monitor = DropMonitor::detached(uint16_t(id));
  REQUIRE(monitor);
  Replayed out;
  tools::CaptureRecord record;
  while (reader.next(record) == 1)
    monitor->process(
        tools::generic_netlink_payload(record), 0, [&](const DropView& d) { out.drops.emplace_back(d); },
        [&](const SummaryView& s) {
          ++out.summaries;
          out.summary_total += s.total();
        });
  out.stats = monitor->stats();
  return out;
}

}  // namespace

TEST_CASE("real kernels' drop monitor captures decode as the drops were made", "[captures][dropmon]") {
  const auto dirs = golden::data_dirs(PSAMPLE_TEST_DATA_DIR, "dropmon-");
  REQUIRE(dirs.size() >= 2);  // 6.1 and 6.12
  for (const std::string& dir : dirs) {
    INFO("capture " << dir);
    const auto expected = golden::read_expected(dir + "/expected.txt");
    const Replayed got = replay(dir + "/nlmon.pcap");
    CHECK(got.stats.malformed == 0);
    size_t next = 0;
    size_t drop_lines = 0;
    for (const golden::Line& line : expected) {
      if (line.kind == "summary") {
        CHECK(got.summaries >= 1);
        CHECK(got.summary_total == std::stoull(line.fields.at("total")));
        continue;
      }
      if (line.kind != "drop") continue;
      ++drop_lines;
      const golden::Fields& e = line.fields;
      INFO("expected drop " << drop_lines << ": " << e.at("reason"));
      REQUIRE(next < got.drops.size());
      const DropView& d = got.drops[next++].view();
      const std::vector<uint8_t> frame = golden::unhex(e.at("frame"));
      CHECK(d.origin() == Origin::software);
      CHECK(d.reason() == e.at("reason"));
      CHECK(d.has_in_ifindex());
      CHECK(d.in_ifindex() == std::stoul(e.at("iif")));
      CHECK(d.proto() == std::stoul(e.at("proto"), nullptr, 16));
      CHECK(d.orig_len() == std::stoul(e.at("orig_len")));
      CHECK(bytes(d.payload()) == frame);  // recorded with no truncation
      CHECK(d.timestamp_ns() >= std::stoull(e.at("time_min")));
      CHECK(d.timestamp_ns() <= std::stoull(e.at("time_max")));
      CHECK(d.pc() != 0);
      CHECK_FALSE(d.symbol().empty());
      CHECK(d.symbol().size() < 40);  // the kernel's NET_DM_MAX_SYMBOL_LEN, with its NUL
    }
    CHECK(drop_lines == 4);
    CHECK(next == got.drops.size());  // no drop the scenario did not make
  }
}
