// psample-dump: command-line options.
#pragma once

#include <cstdint>
#include <string>

#include "psample/group_filter.hpp"

namespace dump {

enum class Format { text, json, libpsample };

struct Options {
  psample::GroupList groups;  // -g, repeatable (up to psample::max_filter_groups)
  uint64_t count = 0;         // -c: stop after this many samples (0: no limit)
  std::string write_file;     // -w FILE or -w - (pcapng)
  std::string read_file;      // -r FILE (pcap/pcapng of netlink traffic)
  int family_id = -1;         // --family-id for -r
  int receive_buffer = 0;     // --rcvbuf BYTES
  bool no_enobufs = false;
  bool accept_userspace = false;
  std::string netns;           // --netns NAME|PATH
  bool list_groups = false;    // -l
  bool config_events = false;  // --config-events
  bool stats_only = false;     // --stats
  double stats_interval = 0;   // --stats-interval SEC
  Format format = Format::text;
  bool numeric = false;  // -n
  bool verbose = false;  // -v: hex dump of DATA
};

// Parses argv. On a usage error prints the problem and the usage to stderr
// and returns false; `exit_now` is set for --help (usage printed to stdout).
bool parse_options(int argc, char** argv, Options& options, bool& exit_now);

}  // namespace dump
