// psample-cpp-sflow: the drop reason table in the README ("Drops as sFlow
// discards") against drop_reason_code(), row by row, so the two cannot drift.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "psample/sflow/drop_reason.hpp"

using psample::sflow::drop_reason_code;

namespace {

std::string trim(const std::string& s) {
  const size_t first = s.find_first_not_of(' ');
  const size_t last = s.find_last_not_of(' ');
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

std::vector<std::string> split(const std::string& s, char separator) {
  std::vector<std::string> parts;
  std::istringstream in(s);
  std::string part;
  while (std::getline(in, part, separator)) parts.push_back(trim(part));
  return parts;
}

struct Row {
  std::string names;  // "NO_SOCKET", "IP_CSUM, IP_INHDR; trap ip_header_corrupted", "group l2_drops"
  uint32_t code;
};

std::vector<Row> readme_rows() {
  std::ifstream readme(PSAMPLE_SOURCE_DIR "/README.md");
  REQUIRE(readme);
  std::vector<Row> rows;
  std::string line;
  bool in_table = false;
  while (std::getline(readme, line)) {
    if (line.rfind("| kernel reason or trap | sFlow reason | code |", 0) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table || line.rfind("|---", 0) == 0) continue;
    if (line.empty() || line[0] != '|') break;
    const auto cells = split(line.substr(1, line.size() - 2), '|');
    REQUIRE(cells.size() == 3);
    rows.push_back(Row{cells[0], uint32_t(std::stoul(cells[2]))});
  }
  return rows;
}

}  // namespace

TEST_CASE("sFlow drop reasons: every README row is what drop_reason_code() gives", "[sflow][dropmon]") {
  const auto rows = readme_rows();
  REQUIRE(rows.size() > 90);
  size_t names = 0;
  for (const Row& row : rows) {
    INFO("README row: " << row.names << " -> " << row.code);
    if (row.names.rfind("anything else", 0) == 0) {
      CHECK(row.code == 256);
      CHECK(drop_reason_code("NOT_SPECIFIED", "", "") == 256);
      CHECK(drop_reason_code("OTHERHOST", "", "") == 256);
      CHECK(drop_reason_code("", "", "") == 256);
      continue;
    }
    for (const std::string& kind : split(row.names, ';')) {
      std::string list = kind;
      enum { reason, trap, group } what = reason;
      if (list.rfind("trap ", 0) == 0) {
        what = trap;
        list = list.substr(5);
      } else if (list.rfind("group ", 0) == 0) {
        what = group;
        list = list.substr(6);
      }
      for (const std::string& name : split(list, ',')) {
        INFO("name " << name);
        ++names;
        if (what == reason) CHECK(drop_reason_code(name, "", "") == row.code);
        if (what == trap) CHECK(drop_reason_code("", "some_group", name) == row.code);
        if (what == group) CHECK(drop_reason_code("", name, "a_trap_with_no_code") == row.code);
      }
    }
  }
  CHECK(names > 100);
}

TEST_CASE("sFlow drop reasons: the kernel's reason first, then the trap, then its group", "[sflow][dropmon]") {
  CHECK(drop_reason_code("NO_SOCKET", "l3_drops", "blackhole_route") == 3);
  CHECK(drop_reason_code("NOT_SPECIFIED", "l3_drops", "blackhole_route") == 269);
  CHECK(drop_reason_code("", "l3_drops", "a_new_trap") == 285);
  // The two codes the published tables misprint.
  CHECK(drop_reason_code("DEV_HDR", "", "") == 332);
  CHECK(drop_reason_code("TC_EGRESS", "", "") == 366);
}
