// Replays, through the fuzz targets' invariant checks (test/fuzz/checks.hpp):
// every input in test/data/regress/TARGET/ (inputs that once crashed a fuzz
// target, kept so they stay fixed), and every message of the real captures.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../fuzz/checks.hpp"
#include "../fuzz/dropmon_checks.hpp"

namespace {

std::vector<std::string> files_in(const std::string& directory) {
  std::vector<std::string> files;
  if (DIR* d = opendir(directory.c_str())) {
    while (dirent* entry = readdir(d)) {
      if (entry->d_name[0] != '.') files.push_back(directory + "/" + entry->d_name);
    }
    closedir(d);
  }
  return files;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void replay(const std::string& target, const std::vector<uint8_t>& input) {
  const uint8_t* data = input.data();
  const size_t size = input.size();
  if (target == "decode") {
    fuzz::check_decode(data, size);
    fuzz::check_round_trip(data, size);
  } else if (target == "datagram") {
    fuzz::check_datagram(data, size);
  } else if (target == "attributes") {
    fuzz::check_attributes(data, size);
  } else if (target == "family") {
    fuzz::check_family(data, size);
  } else if (target == "capture") {
    fuzz::check_capture(data, size);
  } else if (target == "dropmon") {
    fuzz::check_dropmon(data, size);
  } else {
    FAIL("test/data/regress/" << target << " is not a fuzz target");
  }
}

}  // namespace

TEST_CASE("inputs that once crashed a fuzz target stay fixed", "[regress]") {
  const std::string root = std::string(PSAMPLE_TEST_DATA_DIR) + "/regress";
  size_t replayed = 0;
  for (const char* target : {"decode", "datagram", "attributes", "family", "capture", "dropmon"}) {
    for (const std::string& file : files_in(root + "/" + target)) {
      INFO("replaying " << file);
      replay(target, read_file(file));
      ++replayed;
    }
  }
  WARN(replayed << " regression inputs replayed");
  CHECK(replayed >= 1);  // the INT32_MIN error code found by fuzz-datagram, at least
}

// The captures are little-endian (x86) data: [captures] keeps this off big-endian targets.
TEST_CASE("the real captures pass every fuzz invariant", "[regress][captures]") {
  size_t checked = 0;
  for (const std::string& directory : files_in(PSAMPLE_TEST_DATA_DIR)) {
    if (directory.find("/kernel-") == std::string::npos) continue;
    const std::vector<uint8_t> capture = read_file(directory + "/capture.nlmsgs");
    fuzz::check_datagram(capture.data(), capture.size());
    fuzz::check_capture(read_file(directory + "/nlmon.pcap").data(), read_file(directory + "/nlmon.pcap").size());
    psample::netlink::MessageReader messages(psample::ByteView(capture.data(), capture.size()));
    psample::netlink::Message m;
    while (messages.next(m)) {
      fuzz::check_decode(m.bytes.data(), m.bytes.size());
      fuzz::check_family(m.bytes.data(), m.bytes.size());
      fuzz::check_attributes(m.payload.data(), m.payload.size());
      ++checked;
    }
  }
  CHECK(checked > 20);
}
