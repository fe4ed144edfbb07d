// psample-dump: command-line options.
#pragma once

#include <cstdint>
#include <string>

#include <vector>

#include "psample/group_filter.hpp"
#include "sampling_setup.hpp"

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
  std::string netns;               // --netns NAME|PATH
  bool list_groups = false;        // -l
  bool config_events = false;      // --config-events
  bool stats_only = false;         // --stats
  double stats_interval = 0;       // --stats-interval SEC
  std::string metrics_file;        // --metrics-file PATH (Prometheus text, for node_exporter)
  unsigned metrics_interval = 15;  // --metrics-interval SEC
  Format format = Format::text;
  bool numeric = false;      // -n
  bool verbose = false;      // -v: hex dump of DATA
  bool show_samples = true;  // false with libpsample's -s (group events only)
  bool summary = true;       // the summary on stderr at exit (never in libpsample mode)

  // The sources: psample's samples (the default) and the drop monitor's
  // drops (--drops); --samples with --drops shows both.
  bool samples = true;
  bool drops = false;
  // --drops-start[=software|hardware|all]: owner mode (start, and stop at exit).
  bool drops_start_software = false;
  bool drops_start_hardware = false;
  uint32_t drops_trunc = 0;       // --drops-trunc BYTES (owner mode; 0: whole packets)
  uint32_t drops_queue = 0;       // --drops-queue N (owner mode; 0: the kernel's setting)
  uint32_t drops_rate_limit = 0;  // --drops-rate-limit N per second (0: none)
  int drops_family_id = -1;       // --drops-family-id for -r

  // --sample / --sample-egress IFACE[:RATE]: sampling rules set up at start
  // and removed at exit, to group sample_group() (egress: + 1).
  std::vector<tools::SampleSpec> sample_rules;
  // The group --sample's rules send to: the first -g, else 1.
  uint32_t sample_group() const { return groups.empty() ? 1 : *groups.begin(); }
};

// True when psample-dump is to behave as libpsample's `psample` tool: it was
// invoked under that name (a link named `psample`), or its first argument is
// --libpsample (which parse_options then skips).
bool libpsample_mode(int argc, char** argv);

// Parses argv (libpsample's options in libpsample mode). On a usage error prints the problem and the usage to stderr
// and returns false; `exit_now` is set for --help (usage printed to stdout).
bool parse_options(int argc, char** argv, Options& options, bool& exit_now);

}  // namespace dump
