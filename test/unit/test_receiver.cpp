// Layer 3: the Receiver's delivery, policies and counters, fed datagrams
// through process() (no kernel needed; the host suite covers the socket).
#include <catch2/catch.hpp>

#include <cerrno>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "psample/group_list.hpp"
#include "psample/packet.hpp"
#include "psample/receiver.hpp"
#include "support/psample_wire.hpp"
#include "support/receivers.hpp"

using namespace psample;
using wire::Bytes;
using wire::view;

namespace {

Bytes sample(uint32_t group, uint32_t seq, size_t data_size = 64) {
  wire::SampleSpec spec;
  spec.group = group;
  spec.seq = seq;
  spec.data = wire::filled(data_size);
  return wire::aligned(wire::kernel_sample(spec));
}

struct Collector {
  std::vector<Packet> samples;
  std::vector<GroupInfo> groups;
};
}  // namespace

TEST_CASE("samples are delivered and counted", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  Collector got;
  const Bytes datagram = sample(7, 1, 100);
  CHECK(receiver.process(view(datagram), 0, [&](const PacketView& p) { got.samples.emplace_back(p); }) == 1);
  REQUIRE(got.samples.size() == 1);
  CHECK(got.samples[0].group() == 7);
  CHECK(got.samples[0].data().size() == 100);
  const ReceiverStats stats = receiver.stats();
  CHECK(stats.samples == 1);
  CHECK(stats.bytes == 100);
  CHECK(stats.malformed == 0);
  CHECK(stats.ignored() == 0);
  CHECK_FALSE(stats.kernel_drops);  // detached: no socket to ask about
}

TEST_CASE("a datagram holding several messages delivers each", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  std::vector<uint32_t> seqs;
  const Bytes datagram = wire::cat({sample(1, 10), sample(1, 11), sample(2, 500)});
  CHECK(receiver.process(view(datagram), 0, [&](const PacketView& p) { seqs.push_back(p.group_seq()); }) == 3);
  CHECK(seqs == std::vector<uint32_t>{10, 11, 500});
}

TEST_CASE("samples from user-space producers are ignored unless accepted", "[receiver]") {
  const Bytes datagram = sample(1, 1);
  SECTION("default: ignored and counted") {
    Receiver receiver = support::detached_receiver(wire::test_family_id);
    size_t n = 0;
    CHECK(receiver.process(view(datagram), 4242, [&](const PacketView&) { ++n; }) == 0);
    CHECK(n == 0);
    CHECK(receiver.stats().ignored_sender == 1);
  }
  SECTION("accepted: the view tells the sender") {
    ReceiverOptions options;
    options.accept_userspace = true;
    Receiver receiver = support::detached_receiver(wire::test_family_id, options);
    uint32_t sender = 0;
    CHECK(receiver.process(view(datagram), 4242, [&](const PacketView& p) { sender = p.sender_port(); }) == 1);
    CHECK(sender == 4242);
    CHECK(receiver.stats().ignored_sender == 0);
  }
}

TEST_CASE("bad input is counted, skipped, and the stream goes on", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  size_t delivered = 0;
  auto count = [&](const PacketView&) { ++delivered; };

  Bytes wrong_width =
      wire::aligned(wire::genl_message(wire::test_family_id, 0, wire::attr(attr::origsize, wire::u16(1))));
  Bytes other_family = sample(1, 1);
  other_family[4] = 0x33;
  const Bytes wrong_command = wire::aligned(wire::genl_message(wire::test_family_id, 1, {}));
  const Bytes error_message = wire::message(2, wire::cat({wire::u32(uint32_t(-EINVAL)), Bytes(16, 0)}));
  const Bytes overrun = wire::message(4, {});
  const Bytes no_genl_header = wire::message(wire::test_family_id, {});

  const Bytes datagram = wire::cat(
      {wrong_width, sample(3, 1), other_family, wrong_command, error_message, overrun, no_genl_header, sample(3, 2)});
  CHECK(receiver.process(view(datagram), 0, count) == 2);

  Bytes broken_length = sample(3, 3);
  broken_length[0] = 0xff;  // nlmsg_len past the datagram
  CHECK(receiver.process(view(broken_length), 0, count) == 0);
  CHECK(receiver.process(view(sample(3, 4)), 0, count) == 1);  // next datagram is fine

  const ReceiverStats stats = receiver.stats();
  CHECK(delivered == 3);
  CHECK(stats.samples == 3);
  CHECK(stats.malformed == 3);        // wrong width, no genl header, broken length
  CHECK(stats.ignored_family == 3);   // other family, NLMSG_ERROR, NLMSG_OVERRUN
  CHECK(stats.ignored_command == 1);  // GET_GROUP
  CHECK(stats.lost == 1);             // seq 3 was in the broken datagram: a real loss
}

TEST_CASE("sequence gaps estimate losses per group", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  auto ignore = [](const PacketView&) {};
  for (uint32_t seq : {100u, 101u, 105u, 106u}) (void)receiver.process(view(sample(1, seq)), 0, ignore);  // 3 lost
  for (uint32_t seq : {0xfffffffeu, 0xffffffffu, 0u, 2u})
    (void)receiver.process(view(sample(2, seq)), 0, ignore);  // wrap, 1 lost
  (void)receiver.process(view(sample(3, 9000)), 0, ignore);   // first sight: no gap
  (void)receiver.process(view(sample(3, 0)), 0, ignore);      // far back (group re-created): resync, no loss
  (void)receiver.process(view(sample(3, 2)), 0, ignore);      // 1 lost after the resync
  CHECK(receiver.stats().lost == 5);
  const std::vector<GroupCounters> groups = support::group_counters(receiver);
  REQUIRE(groups.size() == 3);
  CHECK(groups[0].group == 1);
  CHECK(groups[0].lost == 3);
  CHECK(groups[0].samples == 4);
  CHECK(groups[1].lost == 1);
  CHECK(groups[1].last_seq == 2);
  CHECK(groups[2].lost == 1);
  CHECK(groups[2].samples == 3);
}

TEST_CASE("group events go to the group handler", "[receiver]") {
  ReceiverOptions options;
  options.config_events = true;
  Receiver receiver = support::detached_receiver(wire::test_family_id, options);
  const Bytes event = wire::aligned(wire::genl_message(
      wire::test_family_id, 2,
      wire::cat({wire::attr(attr::sample_group, wire::u32(9)), wire::attr(attr::group_refcount, wire::u32(1)),
                 wire::attr(attr::group_seq, wire::u32(0))}),
      0x2));
  std::vector<GroupInfo> events;
  CHECK(receiver.process(
            view(event), 0, [](const PacketView&) {}, [&](const GroupInfo& g) { events.push_back(g); }) == 0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].group == 9);
  CHECK(events[0].command == Command::new_group);
  CHECK(receiver.stats().group_events == 1);

  // Without a group handler the event is counted as ignored.
  CHECK(receiver.process(view(event), 0, [](const PacketView&) {}) == 0);
  CHECK(receiver.stats().ignored_command == 1);
}

TEST_CASE("group events reach no handler unless config_events is on", "[receiver]") {
  // A user-space sender can put NEW_GROUP on "packets"; without config_events it is ignored.
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  const Bytes event = wire::aligned(
      wire::genl_message(wire::test_family_id, 2, wire::cat({wire::attr(attr::sample_group, wire::u32(9))}), 0x2));
  size_t events = 0;
  CHECK(receiver.process(
            view(event), 0, [](const PacketView&) {}, [&](const GroupInfo&) { ++events; }) == 0);
  CHECK(events == 0);
  CHECK(receiver.stats().group_events == 0);
  CHECK(receiver.stats().ignored_command == 1);
}

TEST_CASE("a sample with no attributes at all is malformed", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  const Bytes empty = wire::aligned(wire::genl_message(wire::test_family_id, 0, Bytes{}));
  size_t delivered = 0;
  CHECK(receiver.process(view(empty), 0, [&](const PacketView&) { ++delivered; }) == 0);
  CHECK(delivered == 0);
  CHECK(receiver.stats().malformed == 1);
  CHECK(receiver.process(view(sample(1, 1)), 0, [&](const PacketView&) { ++delivered; }) == 1);  // the stream goes on
}

namespace {
// Feeds group `group` the sequence numbers `seqs`; returns the Receiver's stats.
ReceiverStats feed(Receiver& receiver, uint32_t group, std::initializer_list<uint32_t> seqs) {
  for (uint32_t seq : seqs) (void)receiver.process(view(sample(group, seq)), 0, [](const PacketView&) {});
  return receiver.stats();
}
}  // namespace

TEST_CASE("loss estimate: reordering is not loss", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  ReceiverStats s = feed(receiver, 1, {1, 2, 4, 3, 5, 6});
  CHECK(s.lost == 0);
  CHECK(s.duplicates == 0);
  s = feed(receiver, 1, {10, 8, 9, 7});  // several late ones after a jump of 4
  CHECK(s.lost == 0);
  s = feed(receiver, 1, {12});  // 11 never comes: 1 lost
  CHECK(s.lost == 1);
  CHECK(support::group_counters(receiver)[0].last_seq == 12);
}

TEST_CASE("loss estimate: duplicates are not loss", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  const ReceiverStats s = feed(receiver, 1, {5, 6, 6, 7, 5, 8});
  CHECK(s.lost == 0);
  CHECK(s.duplicates == 2);
  CHECK(support::group_counters(receiver)[0].duplicates == 2);
  CHECK(s.samples == 6);  // duplicates are still delivered
}

TEST_CASE("loss estimate: a hostile jump of 2^30 is a resync, not loss", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  ReceiverStats s = feed(receiver, 1, {1, 2, 3, 0x40000000u});
  CHECK(s.lost == 0);
  CHECK(s.sequence_resyncs == 1);
  s = feed(receiver, 1, {0x40000001u, 0x40000003u});  // the estimate goes on from there
  CHECK(s.lost == 1);
  // The largest jump still counted as loss, and the first one that is not.
  Receiver bounds = support::detached_receiver(wire::test_family_id);
  s = feed(bounds, 2, {0, max_sequence_jump});
  CHECK(s.lost == max_sequence_jump - 1);
  s = feed(bounds, 3, {0, max_sequence_jump + 1});
  CHECK(s.lost == max_sequence_jump - 1);
  CHECK(s.sequence_resyncs == 1);
}

TEST_CASE("loss estimate: a restart far back resyncs; a sample later than the window stays lost", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  ReceiverStats s = feed(receiver, 1, {1000, 1001, 0, 1, 2});  // group re-created: starts again at 0
  CHECK(s.lost == 0);
  CHECK(s.sequence_resyncs == 1);
  s = feed(receiver, 1, {100000, 64, 128});  // forwards far: a resync; then 64 far back and 128 after it: a restart
  CHECK(s.sequence_resyncs == 3);
  CHECK(s.lost == 63);  // 65..127 never came
  Receiver late = support::detached_receiver(wire::test_family_id);
  s = feed(late, 1, {0, 2, 66});  // 1 and 3..65 missing: 64 lost
  CHECK(s.lost == 64);
  s = feed(late, 1, {3});  // 63 behind: inside the window, taken back
  CHECK(s.lost == 63);
  s = feed(late, 1, {1, 67});  // 65 behind: a straggler (it stays counted lost); the stream goes on from 66
  CHECK(s.lost == 63);
  CHECK(s.sequence_resyncs == 0);
  CHECK(support::group_counters(late)[0].last_seq == 67);
}

TEST_CASE("loss estimate: wrap-around, and groups that always send seq 0 (Open vSwitch)", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  ReceiverStats s = feed(receiver, 1, {0xfffffffeu, 0xffffffffu, 0u, 0xffffffffu, 1u});
  CHECK(s.lost == 0);
  CHECK(s.duplicates == 1);
  s = feed(receiver, 2, {0, 0, 0, 0, 0});
  CHECK(s.lost == 0);
  CHECK(s.sequence_resyncs == 0);
}

TEST_CASE("loss estimate: per-group state is bounded", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  for (uint32_t g = 0; g < max_tracked_groups + 100; ++g) (void)feed(receiver, g, {g * 7});
  ReceiverStats s = feed(receiver, 5, {36});  // a tracked group: 35 + 1 lost
  CHECK(s.lost == 0);
  CHECK(s.samples == max_tracked_groups + 101);
  CHECK(s.untracked_samples == 100);
  CHECK(support::group_counters(receiver).size() == max_tracked_groups);
  CHECK(support::group_counters(receiver)[0].group == 0);  // order of first appearance
  s = feed(receiver, 5, {38});
  CHECK(s.lost == 1);
}

TEST_CASE("a detached receiver refuses to receive from a socket", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  CHECK(receiver.fd() == -1);
  auto result = receiver.receive([](const PacketView&) {}, std::chrono::milliseconds(0));
  REQUIRE_FALSE(result);
  CHECK(result.error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("a group list that overflowed is refused, naming the limit", "[receiver]") {
  ReceiverOptions options;
  for (uint32_t g = 0; g <= max_filter_groups; ++g) options.groups.add(g);
  REQUIRE(options.groups.overflowed());
  auto receiver = Receiver::detached(wire::test_family_id, options);
  REQUIRE_FALSE(receiver);
  CHECK(receiver.error().code() == ErrorCode::invalid_argument);
  CHECK(std::string(receiver.error().message()) == "groups lists more than 200 groups");
}

TEST_CASE("group_counters fills at most the room it is given and says how many there are", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  for (uint32_t g = 1; g <= 3; ++g) {
    wire::SampleSpec spec;
    spec.group = g;
    spec.seq = 1;
    const wire::Bytes datagram = wire::aligned(wire::kernel_sample(spec));
    receiver.process(ByteView(datagram.data(), datagram.size()), 0, [](const PacketView&) {});
  }
  GroupCounters room[2];
  CHECK(receiver.group_counters(room, 2) == 3);
  CHECK(room[0].group == 1);
  CHECK(room[1].group == 2);
  CHECK(receiver.group_counters(nullptr, 0) == 3);
}

TEST_CASE("list_groups refuses family id 0 before opening anything", "[receiver]") {
  GroupInfo room[4];
  auto groups = list_groups(0, room, 4);
  REQUIRE_FALSE(groups);
  CHECK(groups.error().code() == ErrorCode::invalid_argument);
  CHECK(std::string(groups.error().message()).find("family id 0") != std::string::npos);
}

TEST_CASE("error codes have stable names", "[receiver]") {
  // Every code, in declaration order: the names are a table indexed by the code.
  const std::pair<ErrorCode, const char*> names[] = {
      {ErrorCode::system, "system"},
      {ErrorCode::family_not_found, "family_not_found"},
      {ErrorCode::group_not_found, "group_not_found"},
      {ErrorCode::permission_denied, "permission_denied"},
      {ErrorCode::kernel_error, "kernel_error"},
      {ErrorCode::truncated, "truncated"},
      {ErrorCode::malformed, "malformed"},
      {ErrorCode::not_a_sample, "not_a_sample"},
      {ErrorCode::overrun, "overrun"},
      {ErrorCode::would_block, "would_block"},
      {ErrorCode::interrupted, "interrupted"},
      {ErrorCode::buffer_too_small, "buffer_too_small"},
      {ErrorCode::invalid_argument, "invalid_argument"},
  };
  for (const auto& [code, name] : names) CHECK(std::string(to_string(code)) == name);
  CHECK(std::string(to_string(static_cast<ErrorCode>(200))) == "unknown");
  const Error e(ErrorCode::malformed, 0, "value %d", 42);
  CHECK(std::string(e.message()) == "value 42");
  CHECK(std::string(e.kernel_message()).empty());
}

// The module-reload state machine (subscription.cpp), driven by the nlctrl
// notifications the kernel multicasts on "notify", without a kernel: a
// detached Receiver keeps the same membership books as an open one.
TEST_CASE("module unload and reload: the Receiver follows the family's new id", "[receiver][reload]") {
  const uint16_t old_id = wire::test_family_id, new_id = uint16_t(wire::test_family_id + 1);
  Receiver receiver = support::detached_receiver(old_id);
  size_t delivered = 0;
  const auto count = [&](const PacketView&) { ++delivered; };
  const Bytes packets_before = sample(1, 1);

  SECTION("DELFAMILY: removed, then NEWFAMILY with groups: resubscribed under the new id") {
    receiver.process(view(wire::ctrl_family(2, "psample", old_id, {{0x21, "config"}, {0x22, "packets"}})), 0, count);
    CHECK(receiver.stats().family_removed == 1);
    CHECK(receiver.stats().controller_events == 1);
    CHECK(receiver.stats().resubscriptions == 0);

    receiver.process(view(wire::ctrl_family(1, "psample", new_id, {{0x23, "config"}, {0x24, "packets"}})), 0, count);
    CHECK(receiver.stats().controller_events == 2);
    CHECK(receiver.stats().resubscriptions == 1);
    CHECK(receiver.family().id == new_id);
    CHECK(receiver.family().find_group("packets") == std::optional<uint32_t>(0x24));

    // Samples now come under the new id; the old one is another family.
    wire::SampleSpec spec;
    spec.group = 1;
    spec.seq = 2;
    CHECK(receiver.process(view(wire::aligned(wire::kernel_sample(spec, new_id))), 0, count) == 1);
    CHECK(receiver.process(view(packets_before), 0, count) == 0);
    CHECK(receiver.stats().ignored_family == 1);
    CHECK(delivered == 1);
  }
  SECTION("NEWFAMILY without groups waits for NEWMCAST_GRP") {
    receiver.process(view(wire::ctrl_family(2, "psample", old_id, {})), 0, count);
    receiver.process(view(wire::ctrl_family(1, "psample", new_id, {})), 0, count);
    CHECK(receiver.stats().resubscriptions == 0);
    CHECK(receiver.family().id == old_id);  // nothing to join yet: the family is taken with its groups
    receiver.process(view(wire::ctrl_family(7, "psample", new_id, {{0x23, "config"}, {0x24, "packets"}})), 0, count);
    CHECK(receiver.stats().resubscriptions == 1);
    CHECK(receiver.family().id == new_id);
    CHECK(receiver.stats().controller_events == 3);
  }
  SECTION("NEWMCAST_GRP while still joined is not a resubscription") {
    receiver.process(view(wire::ctrl_family(7, "psample", old_id, {{0x21, "config"}, {0x22, "packets"}})), 0, count);
    CHECK(receiver.stats().controller_events == 1);
    CHECK(receiver.stats().resubscriptions == 1);  // a detached Receiver starts unjoined: this is its first join
    receiver.process(view(wire::ctrl_family(7, "psample", old_id, {{0x21, "config"}, {0x22, "packets"}})), 0, count);
    CHECK(receiver.stats().resubscriptions == 1);
  }
  SECTION("news of other families, from user space, or malformed, changes nothing") {
    receiver.process(view(wire::ctrl_family(2, "nl80211", 0x30, {})), 0, count);
    CHECK(receiver.stats().ignored_family == 1);
    receiver.process(view(wire::ctrl_family(2, "psample", old_id, {})), /*sender_port=*/4242, count);
    CHECK(receiver.stats().ignored_family == 2);  // only the kernel speaks for nlctrl
    receiver.process(view(wire::genl_message(0x10, 2, wire::attr(2, wire::u32(5)))), 0, count);
    CHECK(receiver.stats().malformed == 1);  // no family id, name not a string
    receiver.process(view(wire::genl_message(0x10, 3, {})), 0, count);
    CHECK(receiver.stats().ignored_family == 3);  // GETFAMILY: not a notification
    CHECK(receiver.stats().family_removed == 0);
    CHECK(receiver.stats().controller_events == 0);
    CHECK(receiver.family().id == old_id);
  }
  SECTION("without follow_module_reload, nlctrl news is ignored") {
    ReceiverOptions options;
    options.follow_module_reload = false;
    Receiver fixed = support::detached_receiver(old_id, options);
    fixed.process(view(wire::ctrl_family(2, "psample", old_id, {})), 0, count);
    CHECK(fixed.stats().family_removed == 0);
    CHECK(fixed.stats().ignored_family == 1);
  }
}

// Open vSwitch's psample action builds a fresh group for every sample, so its
// GROUP_SEQ is always 0, and it marks the rate as a probability. Those samples
// are delivered and kept out of the loss estimate (untracked_samples): neither
// loss nor duplicates, and the groups of other producers are unaffected.
TEST_CASE("SAMPLE_PROBABILITY samples (Open vSwitch, GROUP_SEQ always 0) are not sequence-tracked", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  size_t delivered = 0;
  auto count = [&](const PacketView&) { ++delivered; };
  wire::SampleSpec ovs;
  ovs.group = 60;
  ovs.seq = 0;
  ovs.rate = 0x80000000u;  // probability 1/2
  const Bytes ovs_sample = wire::aligned(
      wire::genl_message(wire::test_family_id, 0,
                         wire::cat({wire::kernel_sample_attributes(ovs), wire::attr(attr::sample_probability, {})})));
  for (int i = 0; i < 50; ++i) (void)receiver.process(view(ovs_sample), 0, count);
  for (uint32_t seq : {7u, 8u, 10u}) (void)receiver.process(view(sample(61, seq)), 0, count);  // 1 lost
  CHECK(delivered == 53);
  const ReceiverStats stats = receiver.stats();
  CHECK(stats.samples == 53);
  CHECK(stats.untracked_samples == 50);
  CHECK(stats.duplicates == 0);
  CHECK(stats.sequence_resyncs == 0);
  CHECK(stats.lost == 1);
  const std::vector<GroupCounters> groups = support::group_counters(receiver);
  REQUIRE(groups.size() == 1);  // group 60 is not tracked at all
  CHECK(groups[0].group == 61);
  CHECK(groups[0].lost == 1);
}

namespace {
// Feeds group `group` the sequence numbers `seqs` through a sequenced
// handler; returns each sample's verdict as "verdict:lost".
std::vector<std::string> verdicts(Receiver& receiver, uint32_t group, std::initializer_list<uint32_t> seqs) {
  std::vector<std::string> out;
  for (uint32_t seq : seqs) {
    const size_t delivered =
        receiver.process(view(sample(group, seq)), 0, [&](const PacketView& p, const SampleSequence& s) {
          CHECK(p.group_seq() == seq);
          out.push_back(std::string(verdict_name(s.verdict)) + ":" + std::to_string(s.lost));
        });
    CHECK(delivered == 1);
  }
  return out;
}
using Names = std::vector<std::string>;
}  // namespace

TEST_CASE("loss told with each sample: gaps, late samples and duplicates", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  CHECK(verdicts(receiver, 1, {5, 6, 9, 8, 8, 10, 14, 7}) ==
        Names{"first:0", "in_order:0", "in_order:2", "late:0", "duplicate:0", "in_order:0", "in_order:3", "late:0"});
  // What the verdicts add up to is what the counters say: 2 + 3 lost, 2 taken back.
  const ReceiverStats s = receiver.stats();
  CHECK(s.lost == 3);
  CHECK(s.duplicates == 1);
  CHECK(support::group_counters(receiver)[0].lost == 3);
}

TEST_CASE("loss told with each sample: restarts, stragglers and untracked samples", "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  // A jump forwards past max_sequence_jump, then a restart far back (its first
  // sample is a straggler until the next confirms it, with 2 missing between).
  CHECK(verdicts(receiver, 1, {1, 2, 200000, 500, 503, 504}) ==
        Names{"first:0", "in_order:0", "resync:0", "straggler:0", "resync:2", "in_order:0"});
  CHECK(receiver.stats().lost == 2);
  CHECK(receiver.stats().sequence_resyncs == 2);
  // A straggler past the window stays lost: the next in-order sample says nothing of it.
  Receiver late = support::detached_receiver(wire::test_family_id);
  CHECK(verdicts(late, 1, {0, 2, 100, 1, 101}) ==
        Names{"first:0", "in_order:1", "in_order:97", "straggler:0", "in_order:0"});
  CHECK(late.stats().lost == 98);
  // Groups beyond the tracker's bound are untracked.
  Receiver many = support::detached_receiver(wire::test_family_id);
  for (uint32_t g = 0; g < max_tracked_groups; ++g) (void)verdicts(many, g, {1});
  CHECK(verdicts(many, max_tracked_groups, {1, 5}) == Names{"untracked:0", "untracked:0"});
  CHECK(many.stats().untracked_samples == 2);
}

TEST_CASE("loss told with each sample: SAMPLE_PROBABILITY samples are untracked; both handler forms deliver",
          "[receiver]") {
  Receiver receiver = support::detached_receiver(wire::test_family_id);
  wire::SampleSpec spec;  // Open vSwitch's psample action: a probability, GROUP_SEQ always 0
  spec.group = 3;
  spec.seq = 0;
  spec.rate = 0x80000000u;
  const Bytes datagram = wire::aligned(
      wire::genl_message(wire::test_family_id, 0,
                         wire::cat({wire::kernel_sample_attributes(spec), wire::attr(attr::sample_probability, {})})));
  std::vector<SampleSequence::Verdict> got;
  for (int i = 0; i < 2; ++i)
    (void)receiver.process(view(datagram), 0,
                           [&](const PacketView&, const SampleSequence& s) { got.push_back(s.verdict); });
  CHECK(got ==
        std::vector<SampleSequence::Verdict>{SampleSequence::Verdict::untracked, SampleSequence::Verdict::untracked});
  size_t plain = 0;
  CHECK(receiver.process(view(sample(4, 1)), 0, [&](const PacketView&) { ++plain; }) == 1);
  CHECK(plain == 1);
  // With a group handler too.
  std::vector<SampleSequence::Verdict> with_group;
  CHECK(receiver.process(
            view(sample(4, 3)), 0, [&](const PacketView&, const SampleSequence& s) { with_group.push_back(s.verdict); },
            [](const GroupInfo&) {}) == 1);
  CHECK(with_group == std::vector<SampleSequence::Verdict>{SampleSequence::Verdict::in_order});
}
