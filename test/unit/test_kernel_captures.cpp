// Golden captures: raw datagrams real kernels (6.1 and 6.12) sent to a netlink
// socket, decoded and compared field by field with what the recording
// scenario configured and sent (test/data/*/expected.txt), never with a
// previous run of our own decoder.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "psample/psample.hpp"
#include "support/golden.hpp"

using namespace psample;
using namespace psample::netlink;

namespace {

using golden::Fields;
using golden::Line;
using golden::read_expected;
using golden::unhex;

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> capture_dirs() { return golden::data_dirs(PSAMPLE_TEST_DATA_DIR, "kernel-"); }

std::vector<uint8_t> bytes(ByteView v) { return std::vector<uint8_t>(v.begin(), v.end()); }

}  // namespace

TEST_CASE("real kernel captures decode exactly as the kernel was configured", "[captures]") {
  const auto dirs = capture_dirs();
  REQUIRE(dirs.size() >= 2);  // 6.1 and 6.12
  for (const std::string& dir : dirs) {
    INFO("capture " << dir);
    const std::vector<Line> expected = read_expected(dir + "/expected.txt");
    const std::vector<uint8_t> capture = read_file(dir + "/capture.nlmsgs");
    REQUIRE(!expected.empty());
    REQUIRE(!capture.empty());

    std::map<uint32_t, std::vector<Fields>> samples_expected;  // per group, in send order
    std::vector<Fields> events_expected, dump_expected;
    Fields family_expected;
    for (const Line& line : expected) {
      if (line.kind == "sample") samples_expected[uint32_t(std::stoul(line.fields.at("group")))].push_back(line.fields);
      if (line.kind == "event") events_expected.push_back(line.fields);
      if (line.kind == "dump") dump_expected.push_back(line.fields);
      if (line.kind == "family") family_expected = line.fields;
    }

    MessageReader messages(ByteView(capture.data(), capture.size()));
    Message m;
    uint16_t family_id = 0;
    std::map<uint32_t, size_t> samples_seen;
    size_t events_seen = 0, dump_seen = 0, done_seen = 0;
    while (messages.next(m)) {
      if (m.type == genl_controller_id) {
        auto family = parse_family(m.bytes);
        REQUIRE(family);
        CHECK(std::string(family->name) == family_expected.at("name"));
        CHECK(std::to_string(family->version) == family_expected.at("version"));
        CHECK(std::to_string(family->max_attribute) == family_expected.at("maxattr"));
        CHECK(family->find_group("config"));
        CHECK(family->find_group("packets"));
        family_id = family->id;
        continue;
      }
      if (m.is_done()) {
        ++done_seen;
        continue;
      }
      REQUIRE(family_id != 0);
      REQUIRE(m.type == family_id);
      const int command = genl_command(m);
      if (command == int(Command::sample)) {
        auto p = decode(m.bytes);
        REQUIRE(p);
        const uint32_t group = p->group();
        REQUIRE(samples_expected.count(group) == 1);
        const size_t index = samples_seen[group]++;
        REQUIRE(index < samples_expected[group].size());
        const Fields& e = samples_expected[group][index];
        INFO("group " << group << " sample " << index);
        CHECK(p->group_seq() == index);  // a new group starts at 0 and counts up by one
        CHECK(std::to_string(p->sample_rate()) == e.at("rate"));
        CHECK(std::to_string(p->orig_size()) == e.at("origsize"));
        const std::vector<uint8_t> frame = unhex(e.at("frame"));
        const size_t length = std::min<size_t>(std::stoul(e.at("trunc")), frame.size());
        CHECK(bytes(p->data()) == std::vector<uint8_t>(frame.begin(), frame.begin() + long(length)));
        if (e.at("iif") == "-") {
          CHECK_FALSE(p->has_in_ifindex());
        } else {
          CHECK(std::to_string(p->in_ifindex()) == e.at("iif"));
        }
        if (e.at("oif") == "-") {
          CHECK_FALSE(p->has_out_ifindex());
        } else {
          CHECK(std::to_string(p->out_ifindex()) == e.at("oif"));
        }
        CHECK(p->proto() == std::stoul(e.at("proto"), nullptr, 16));
        if (e.at("cookie") == "-") {
          CHECK_FALSE(p->has_user_cookie());
        } else {
          CHECK(bytes(p->user_cookie()) == unhex(e.at("cookie")));
        }
        REQUIRE(p->has_timestamp());
        CHECK(p->timestamp() >= std::stoull(e.at("time_min")));
        CHECK(p->timestamp() <= std::stoull(e.at("time_max")));
        CHECK_FALSE(p->has_tunnel());
        CHECK_FALSE(p->sample_probability());
      } else {
        auto g = decode_group(m.bytes);
        REQUIRE(g);
        if (m.sequence != 0) {  // a GET_GROUP dump reply (events carry sequence 0)
          REQUIRE(dump_seen < dump_expected.size());
          const Fields& e = dump_expected[dump_seen++];
          CHECK(std::to_string(g->group) == e.at("group"));
          CHECK(std::to_string(g->refcount) == e.at("refcount"));
          CHECK(std::to_string(g->seq) == e.at("seq"));
        } else {
          REQUIRE(events_seen < events_expected.size());
          const Fields& e = events_expected[events_seen++];
          CHECK(std::to_string(g->group) == e.at("group"));
          CHECK((g->command == Command::new_group ? "new_group" : "del_group") == e.at("command"));
        }
      }
    }
    CHECK_FALSE(messages.failed());
    for (const auto& entry : samples_expected) CHECK(samples_seen[entry.first] == entry.second.size());
    CHECK(events_seen == events_expected.size());
    CHECK(dump_seen == dump_expected.size());
    CHECK(done_seen == 1);
  }
}
