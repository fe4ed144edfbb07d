#include "options.hpp"

#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "exit_status.hpp"
#include "metrics_text.hpp"
#include "parse_number.hpp"

namespace dump {

namespace {

const char usage[] =
    "usage: psample-dump [options]            receive psample samples live\n"
    "       psample-dump -r FILE [options]    decode a pcap/pcapng capture of netlink traffic\n"
    "       psample-dump -l                   list the kernel's sample groups\n"
    "       psample-dump --drops [options]    the kernel's dropped packets (drop monitor), live or -r\n"
    "\n"
    "  -g, --group GROUP       only this group (repeatable); live: filtered in the kernel,\n"
    "                          -r: filtered by psample-dump\n"
    "  -c, --count COUNT       stop after COUNT samples\n"
    "  -w, --write FILE        write samples to a pcapng file (- for stdout)\n"
    "  -r, --read FILE         read a capture (LINKTYPE_NETLINK pcap or pcapng)\n"
    "      --family-id ID      psample's family id in that capture, if it has no GETFAMILY reply\n"
    "  -F, --format FORMAT     text (default), json or libpsample\n"
    "  -n                      print interface numbers, not names\n"
    "  -v                      add a hex dump of each sample's data\n"
    "  -l, --list-groups       print group, refcount and seq of each group and exit\n"
    "      --config-events     also print groups being created and destroyed\n"
    "      --rcvbuf BYTES      socket receive buffer size (default 4194304; the kernel doubles it)\n"
    "      --no-enobufs        do not report socket overruns (NETLINK_NO_ENOBUFS)\n"
    "      --accept-userspace  accept samples from user-space producers\n"
    "      --netns NAME|PATH   open the socket in that network namespace\n"
    "      --stats             print no samples, only the summary\n"
    "\n"
    "      --drops             show the drop monitor's dropped packets (NET_DM; joining needs\n"
    "                          CAP_SYS_ADMIN on recent kernels); alone: drops only\n"
    "      --samples           with --drops: show psample's samples too\n"
    "      --drops-start[=WHAT]  start the drop monitor (software, hardware or all; default\n"
    "                          software) in packet mode, and stop at exit what this started;\n"
    "                          left alone when another program already runs it. Without it,\n"
    "                          --drops only listens and changes nothing (CAP_NET_ADMIN)\n"
    "      --drops-trunc BYTES   with --drops-start: bytes kept per dropped packet (default all)\n"
    "      --drops-queue N     with --drops-start: the kernel's per-CPU queue length\n"
    "      --drops-rate-limit N  show at most N drops per second; the rest are counted\n"
    "      --drops-family-id ID  NET_DM's family id in a -r capture without a GETFAMILY reply\n"
    "      --stats-interval S  also print the summary every S seconds\n"
    "      --metrics-file PATH  write the summary's figures as Prometheus metrics to PATH (for\n"
    "                          node_exporter's textfile collector: the name ends in .prom),\n"
    "                          replaced atomically every --metrics-interval and at exit\n"
    "      --metrics-interval S  seconds between metrics files (1-86400, default 15)\n"
    "\n"
    "      --sample IFACE[:RATE]  sample the packets IFACE receives, 1 in RATE (default 1000),\n"
    "                          whole, to the first -g group (default 1): a tc matchall +\n"
    "                          sample rule marked as psample-cpp's (and a clsact qdisc if\n"
    "                          IFACE has none), removed at exit (repeatable; CAP_NET_ADMIN)\n"
    "      --sample-egress IFACE[:RATE]  the same for the packets IFACE sends, to group + 1\n"
    "  -h, --help              this text\n"
    "\n"
    "      --libpsample        (first) behave as libpsample's psample tool: its options,\n"
    "                          its output, no summary; also when invoked as `psample`\n"
    "\n";

bool fail(const char* what, const char* value) {
  std::fprintf(stderr, "psample-dump: %s: '%s'\n\n%s%s", what, value ? value : "", usage, tools::exit_status_usage);
  return false;
}

bool fail(const std::string& what, const char* value) { return fail(what.c_str(), value); }

const char libpsample_usage[] =
    "usage: psample [-l | -m | -w OUT_FILE] [-c | -s] [-g GROUP_NUM] [-v]\n"
    "  (psample-dump in libpsample mode: libpsample's psample tool, same options and output)\n"
    "\n"
    "  -l, --list-groups       list the current groups\n"
    "  -m, --monitor           monitor sample packets (default)\n"
    "  -c, --no-config         when monitoring, don't show config notifications\n"
    "  -s, --no-sample         when monitoring, don't show sample notifications\n"
    "  -g, --group GROUP_NUM   for monitor, filter by group\n"
    "  -v, --verbose           print the packet data\n"
    "  -w, --write OUT_FILE    write sampled packets to file (pcapng, as psample-dump -w)\n"
    "  -h, --help              this text\n";

bool fail_libpsample(const char* what) {
  std::fprintf(stderr, "psample: %s\n\n%s", what, libpsample_usage);
  return false;
}

// libpsample's options, with its rules: one of -l, -m, -w; not -c and -s
// together; -c, -s with neither -l nor -w; -w without -v or -g.
bool parse_libpsample_options(int argc, char** argv, Options& options, bool& exit_now) {
  static const option long_options[] = {
      {"list-groups", no_argument, nullptr, 'l'},
      {"monitor", no_argument, nullptr, 'm'},
      {"no-config", no_argument, nullptr, 'c'},
      {"no-sample", no_argument, nullptr, 's'},
      {"group", required_argument, nullptr, 'g'},
      {"verbose", no_argument, nullptr, 'v'},
      {"write", required_argument, nullptr, 'w'},
      {"help", no_argument, nullptr, 'h'},
      {nullptr, 0, nullptr, 0},
  };
  options.format = Format::libpsample;
  options.config_events = true;
  options.summary = false;
  char command = 'm';
  bool command_given = false, no_config = false, no_sample = false;
  opterr = 0;
  int c;
  unsigned long long value = 0;
  while ((c = getopt_long(argc, argv, ":lmcsg:vw:h", long_options, nullptr)) != -1) {
    switch (c) {
      case 'l':
      case 'm':
      case 'w':
        if (command_given) return fail_libpsample("only one of -l, -m and -w");
        command_given = true;
        command = static_cast<char>(c);
        if (c == 'w') options.write_file = optarg;
        break;
      case 'c': no_config = true; break;
      case 's': no_sample = true; break;
      case 'g':
        if (!tools::parse_number(optarg, 0xffffffffull, value))
          return fail_libpsample("-g wants a group number (0-4294967295)");
        options.groups.clear();  // as in libpsample, the last -g counts
        options.groups.add(uint32_t(value));
        break;
      case 'v': options.verbose = true; break;
      case 'h':
        std::fputs(libpsample_usage, stdout);
        exit_now = true;
        return true;
      case ':': return fail_libpsample("an option needs a value");
      default: return fail_libpsample("unknown option");
    }
  }
  if (optind < argc) return fail_libpsample("unexpected argument");
  if (command != 'm' && (no_config || no_sample)) return fail_libpsample("-c and -s are for monitoring only");
  if (no_config && no_sample) return fail_libpsample("not both -c (no-config) and -s (no-sample)");
  if (command == 'w' && options.verbose) return fail_libpsample("not both -v and -w");
  if (command == 'w' && !options.groups.empty()) return fail_libpsample("not both -g and -w");
  options.list_groups = command == 'l';
  options.config_events = !no_config;
  options.show_samples = !no_sample;
  return true;
}

}  // namespace

bool libpsample_mode(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--libpsample") == 0) return true;
  const char* name = argc > 0 && argv[0] != nullptr ? std::strrchr(argv[0], '/') : nullptr;
  name = name != nullptr ? name + 1 : (argc > 0 && argv[0] != nullptr ? argv[0] : "");
  return std::strcmp(name, "psample") == 0;
}

bool parse_options(int argc, char** argv, Options& options, bool& exit_now) {
  enum {
    opt_family_id = 256,
    opt_config_events,
    opt_rcvbuf,
    opt_no_enobufs,
    opt_accept_userspace,
    opt_netns,
    opt_stats,
    opt_stats_interval,
    opt_drops,
    opt_samples,
    opt_drops_start,
    opt_drops_trunc,
    opt_drops_queue,
    opt_drops_rate_limit,
    opt_drops_family_id,
    opt_sample,
    opt_sample_egress,
    opt_metrics_file,
    opt_metrics_interval,
  };
  static const option long_options[] = {
      {"group", required_argument, nullptr, 'g'},
      {"count", required_argument, nullptr, 'c'},
      {"write", required_argument, nullptr, 'w'},
      {"read", required_argument, nullptr, 'r'},
      {"format", required_argument, nullptr, 'F'},
      {"list-groups", no_argument, nullptr, 'l'},
      {"help", no_argument, nullptr, 'h'},
      {"family-id", required_argument, nullptr, opt_family_id},
      {"config-events", no_argument, nullptr, opt_config_events},
      {"rcvbuf", required_argument, nullptr, opt_rcvbuf},
      {"no-enobufs", no_argument, nullptr, opt_no_enobufs},
      {"accept-userspace", no_argument, nullptr, opt_accept_userspace},
      {"netns", required_argument, nullptr, opt_netns},
      {"stats", no_argument, nullptr, opt_stats},
      {"stats-interval", required_argument, nullptr, opt_stats_interval},
      {"drops", no_argument, nullptr, opt_drops},
      {"samples", no_argument, nullptr, opt_samples},
      {"drops-start", optional_argument, nullptr, opt_drops_start},
      {"drops-trunc", required_argument, nullptr, opt_drops_trunc},
      {"drops-queue", required_argument, nullptr, opt_drops_queue},
      {"drops-rate-limit", required_argument, nullptr, opt_drops_rate_limit},
      {"drops-family-id", required_argument, nullptr, opt_drops_family_id},
      {"sample", required_argument, nullptr, opt_sample},
      {"sample-egress", required_argument, nullptr, opt_sample_egress},
      {"metrics-file", required_argument, nullptr, opt_metrics_file},
      {"metrics-interval", required_argument, nullptr, opt_metrics_interval},
      {nullptr, 0, nullptr, 0},
  };
  exit_now = false;
  bool samples_asked = false;
  bool owner_settings = false;
  if (libpsample_mode(argc, argv)) {
    if (argc > 1 && std::strcmp(argv[1], "--libpsample") == 0) {
      argv[1] = argv[0];  // getopt starts after argv[0]: skip --libpsample
      return parse_libpsample_options(argc - 1, argv + 1, options, exit_now);
    }
    return parse_libpsample_options(argc, argv, options, exit_now);
  }
  opterr = 0;
  int c;
  unsigned long long value = 0;
  while ((c = getopt_long(argc, argv, ":g:c:w:r:F:lnvh", long_options, nullptr)) != -1) {
    switch (c) {
      case 'g':
        if (!tools::parse_number(optarg, 0xffffffffull, value))
          return fail("-g wants a group number (0-4294967295)", optarg);
        if (!options.groups.add(uint32_t(value))) return fail("-g: at most 200 groups", optarg);
        break;
      case 'c':
        if (!tools::parse_number(optarg, ~0ull, value) || value == 0) return fail("-c wants a positive count", optarg);
        options.count = value;
        break;
      case 'w': options.write_file = optarg; break;
      case 'r': options.read_file = optarg; break;
      case 'F':
        if (std::strcmp(optarg, "text") == 0)
          options.format = Format::text;
        else if (std::strcmp(optarg, "json") == 0)
          options.format = Format::json;
        else if (std::strcmp(optarg, "libpsample") == 0)
          options.format = Format::libpsample;
        else
          return fail("--format is text, json or libpsample", optarg);
        break;
      case 'l': options.list_groups = true; break;
      case 'n': options.numeric = true; break;
      case 'v': options.verbose = true; break;
      case 'h':
        std::fputs(usage, stdout);
        std::fputs(tools::exit_status_usage, stdout);
        exit_now = true;
        return true;
      case opt_family_id:
        if (!tools::parse_number(optarg, 0xffff, value)) return fail("--family-id wants a number (0-65535)", optarg);
        options.family_id = int(value);
        break;
      case opt_config_events: options.config_events = true; break;
      case opt_rcvbuf:
        if (!tools::parse_number(optarg, 0x7fffffff, value) || value == 0)
          return fail("--rcvbuf wants a size in bytes", optarg);
        options.receive_buffer = int(value);
        break;
      case opt_no_enobufs: options.no_enobufs = true; break;
      case opt_accept_userspace: options.accept_userspace = true; break;
      case opt_netns: options.netns = optarg; break;
      case opt_stats: options.stats_only = true; break;
      case opt_stats_interval: {
        char* end = nullptr;
        options.stats_interval = std::strtod(optarg, &end);
        if (*end != '\0' || !(options.stats_interval > 0)) return fail("--stats-interval wants seconds > 0", optarg);
        break;
      }
      case opt_drops: options.drops = true; break;
      case opt_samples: samples_asked = true; break;
      case opt_drops_start:
        options.drops = true;
        if (optarg == nullptr || std::strcmp(optarg, "software") == 0)
          options.drops_start_software = true;
        else if (std::strcmp(optarg, "hardware") == 0)
          options.drops_start_hardware = true;
        else if (std::strcmp(optarg, "all") == 0)
          options.drops_start_software = options.drops_start_hardware = true;
        else
          return fail("--drops-start is software, hardware or all", optarg);
        break;
      case opt_drops_trunc:
      case opt_drops_queue:
        if (!tools::parse_number(optarg, 0xffffffffull, value))
          return fail(c == opt_drops_trunc ? "--drops-trunc wants bytes" : "--drops-queue wants a length", optarg);
        (c == opt_drops_trunc ? options.drops_trunc : options.drops_queue) = uint32_t(value);
        owner_settings = true;
        break;
      case opt_drops_rate_limit:
        if (!tools::parse_number(optarg, 0xffffffffull, value) || value == 0)
          return fail("--drops-rate-limit wants drops per second > 0", optarg);
        options.drops_rate_limit = uint32_t(value);
        break;
      case opt_drops_family_id:
        if (!tools::parse_number(optarg, 0xffff, value))
          return fail("--drops-family-id wants a number (0-65535)", optarg);
        options.drops_family_id = int(value);
        break;
      case opt_sample:
      case opt_sample_egress: {
        tools::SampleSpec spec;
        std::string error;
        const auto direction =
            c == opt_sample ? psample::sampling::Direction::ingress : psample::sampling::Direction::egress;
        if (!tools::parse_sample_spec(optarg, direction, spec, error))
          return fail(c == opt_sample ? "--sample: " + error : "--sample-egress: " + error, optarg);
        options.sample_rules.push_back(spec);
        break;
      }
      case opt_metrics_file: {
        std::string error;
        if (!tools::metrics_path_ok(optarg, error)) return fail("--metrics-file: " + error, optarg);
        options.metrics_file = optarg;
        break;
      }
      case opt_metrics_interval:
        if (!tools::parse_number(optarg, 86400, value) || value == 0)
          return fail("--metrics-interval wants 1-86400 seconds", optarg);
        options.metrics_interval = unsigned(value);
        break;
      case ':': return fail("option needs a value", argv[optind - 1]);
      default: return fail("unknown option", argv[optind - 1]);
    }
  }
  if (optind < argc) return fail("unexpected argument", argv[optind]);
  if (!options.read_file.empty() && options.list_groups) return fail("-l and -r do not go together", "-l");
  if (options.list_groups && !options.metrics_file.empty())
    return fail("--metrics-file is for capturing (live or -r), not -l", "--metrics-file");
  if (samples_asked && !options.drops)
    return fail("--samples goes with --drops (samples alone are the default)", "--samples");
  if (owner_settings && !options.drops_start_software && !options.drops_start_hardware)
    return fail("--drops-trunc and --drops-queue go with --drops-start (they change the kernel's settings)",
                "--drops-trunc/--drops-queue");
  if (options.drops && options.format == Format::libpsample)
    return fail("libpsample's format has no drops: use text or json", "--drops");
  if (options.drops && options.list_groups) return fail("-l lists psample's groups; not with --drops", "-l");
  if (!options.read_file.empty() && (options.drops_start_software || options.drops_start_hardware))
    return fail("--drops-start is for live capture, not -r", "--drops-start");
  if (!options.sample_rules.empty() && (!options.read_file.empty() || options.list_groups))
    return fail("--sample sets up sampling for live capture: not with -r or -l", "--sample");
  options.samples = !options.drops || samples_asked;
  if (!options.sample_rules.empty() && !options.samples)
    return fail("--sample makes samples: with --drops, add --samples to show them", "--sample");
  if (!options.samples && !options.groups.empty())
    return fail("-g chooses psample groups: with --drops, add --samples to show samples too", "-g");
  return true;
}

}  // namespace dump
