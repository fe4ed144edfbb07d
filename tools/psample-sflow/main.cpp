// psample-sflow: a small sFlow v5 agent. Receives psample samples (live, or
// from a netlink capture with -r), maps them to sFlow flow samples, and with
// --drops the drop monitor's drops to discarded packet samples
// (exporter.hpp); sends the datagrams to collectors over UDP and/or writes
// them to a pcap file (-w).
#include <getopt.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture_replay.hpp"
#include "coarse_clock.hpp"
#include "config_file.hpp"
#include "drop_monitor_summary.hpp"
#include "exit_status.hpp"
#include "exporter.hpp"
#include "flush_policy.hpp"
#include "group_refilter.hpp"
#include "interface_counters.hpp"
#include "metrics_text.hpp"
#include "netns.hpp"
#include "parse_number.hpp"
#include "psample/dropmon/drop_monitor.hpp"
#include "psample/psample.hpp"
#include "receiver_summary.hpp"
#include "sampling_setup.hpp"
#include "sinks.hpp"
#include "source_metrics.hpp"
#include "stop_signal.hpp"

namespace {

using namespace tools;  // exit statuses
using psample::dropmon::DropMonitor;

const char tool[] = "psample-sflow";
// Datagrams go out when the stream pauses, and at least this often while it flows.
constexpr std::chrono::milliseconds flush_interval(1000);

const char usage[] =
    "usage: psample-sflow [options]            export live psample samples as sFlow v5\n"
    "       psample-sflow -r FILE [options]    export a capture of netlink traffic\n"
    "\n"
    "  --collector HOST[:PORT]  send to this collector (repeatable; IPv4 or [IPv6]:PORT;\n"
    "                           default port 6343)\n"
    "  -w, --write FILE         also write the datagrams as a pcap of UDP packets (- for stdout)\n"
    "  --agent-address ADDR     the agent address in the datagrams (default: the first IPv4\n"
    "                           address of an up, non-loopback interface, else IPv6, else 127.0.0.1)\n"
    "  --sub-agent-id N         default 0\n"
    "  -g, --group GROUP        only this group (repeatable; live: filtered in the kernel)\n"
    "  --egress-group GROUP     this group samples on egress: its data source is OIFINDEX\n"
    "  --header-bytes N         packet header bytes per sample (default 128)\n"
    "  --max-datagram BYTES     largest datagram (default 1400, at least 200)\n"
    "  --counter-interval S     live: interface counters of each data source every S seconds\n"
    "                           (default 20, 0 = none)\n"
    "  --netns NAME|PATH        live: receive and read counters in that network namespace\n"
    "  -r, --read FILE          read a pcap/pcapng capture of netlink traffic instead\n"
    "  --family-id ID           psample's family id in that capture, if it has no GETFAMILY reply\n"
    "\n"
    "  --drops                  also export the kernel's dropped packets (drop monitor, NET_DM) as\n"
    "                           sFlow discarded packet samples; only listens (CAP_SYS_ADMIN on\n"
    "                           recent kernels)\n"
    "  --drops-start[=WHAT]     start the drop monitor (software, hardware or all; default\n"
    "                           software) in packet mode with --header-bytes per drop, and stop\n"
    "                           at exit what this started; left alone when another program\n"
    "                           runs it (CAP_NET_ADMIN)\n"
    "  --drops-rate-limit N     at most N discard samples per second, the rest counted in their\n"
    "                           drops field (default 100, 0 = no limit)\n"
    "  --drops-family-id ID     NET_DM's family id in a -r capture without a GETFAMILY reply\n"
    "\n"
    "  --sample IFACE[:RATE]    sample the packets IFACE receives, 1 in RATE (--sample-rate),\n"
    "                           --header-bytes each, to --sample-group: a tc matchall + sample\n"
    "                           rule marked as psample-cpp's (and a clsact qdisc if IFACE has\n"
    "                           none), removed at exit (repeatable; CAP_NET_ADMIN)\n"
    "  --sample-egress IFACE[:RATE]  the same for the packets IFACE sends, to --sample-group + 1\n"
    "                           (exported with the output interface as data source)\n"
    "  --sample-group G         the group of --sample's rules (default: the first -g, else 1)\n"
    "  --sample-pattern REGEX   also sample the packets received by every interface whose name\n"
    "                           matches (POSIX extended; anchor with ^...$), also those that\n"
    "                           appear later; their rules go when they do\n"
    "  --sample-rate N          the rate of --sample-pattern and of --sample without :RATE\n"
    "                           (default 1000)\n"
    "\n"
    "  --metrics-file PATH      write metrics in Prometheus' text format to PATH (for\n"
    "                           node_exporter's textfile collector: the name ends in .prom),\n"
    "                           replaced atomically every --metrics-interval and at exit\n"
    "  --metrics-interval S     seconds between metrics files (1-86400, default 15)\n"
    "  --config FILE            read options from FILE, one long option per line (\"collector\n"
    "                           192.0.2.1:6343\"; # comments); the command line overrides it\n"
    "                           (default: /etc/psample-sflow/psample-sflow.conf, if it exists)\n"
    "                           SIGHUP reads it again: collectors, groups, sampling rules and\n"
    "                           rates, the metrics file change without a restart\n"
    "  -h, --help               this text\n"
    "\n";

struct Options {
  std::vector<sflow_agent::Endpoint> collectors;
  std::string write_file, read_file, agent_address;
  uint32_t sub_agent_id = 0;
  psample::GroupList groups;
  std::vector<uint32_t> egress_groups;
  size_t header_bytes = 128;
  size_t max_datagram = 1400;
  unsigned counter_interval = 20;
  std::string netns;
  int family_id = -1;
  bool drops = false;
  bool drops_start_software = false, drops_start_hardware = false;
  uint32_t drops_rate_limit = 100;
  int drops_family_id = -1;
  tools::SamplingPlan sampling;  // --sample, --sample-egress, --sample-pattern, --sample-rate (group, trunc below)
  int64_t sample_group = -1;     // --sample-group (-1: the first -g, else 1)
  std::string metrics_file;
  unsigned metrics_interval = 15;
};

// The configuration file read when --config is not given, if it exists.
const char default_config[] = "/etc/psample-sflow/psample-sflow.conf";

// Where the option being parsed came from: "FILE:LINE" for a configuration
// file's line, empty for the command line.
std::string parsing_origin;

// A reload parses the options again: a mistake then is told in one line,
// without the usage text.
bool reloading = false;

int fail(const std::string& what) {
  const std::string where = parsing_origin.empty() ? std::string() : parsing_origin + ": ";
  if (reloading) {
    std::fprintf(stderr, "psample-sflow: reload: %s%s\n", where.c_str(), what.c_str());
    return exit_usage;
  }
  std::fprintf(stderr, "psample-sflow: %s%s\n\n%s%s", where.c_str(), what.c_str(), usage, exit_status_usage);
  return exit_usage;
}

int parse(int argc, char** argv, Options& o, bool& exit_now) {
  enum {
    opt_collector = 256,
    opt_agent,
    opt_sub_agent,
    opt_egress,
    opt_header,
    opt_max,
    opt_counters,
    opt_netns,
    opt_family_id,
    opt_drops,
    opt_drops_start,
    opt_drops_rate_limit,
    opt_drops_family_id,
    opt_sample,
    opt_sample_egress,
    opt_sample_group,
    opt_sample_pattern,
    opt_sample_rate,
    opt_metrics_file,
    opt_metrics_interval,
    opt_config,
  };
  static const option long_options[] = {
      {"collector", required_argument, nullptr, opt_collector},
      {"agent-address", required_argument, nullptr, opt_agent},
      {"sub-agent-id", required_argument, nullptr, opt_sub_agent},
      {"egress-group", required_argument, nullptr, opt_egress},
      {"header-bytes", required_argument, nullptr, opt_header},
      {"max-datagram", required_argument, nullptr, opt_max},
      {"counter-interval", required_argument, nullptr, opt_counters},
      {"netns", required_argument, nullptr, opt_netns},
      {"family-id", required_argument, nullptr, opt_family_id},
      {"drops", no_argument, nullptr, opt_drops},
      {"drops-start", optional_argument, nullptr, opt_drops_start},
      {"drops-rate-limit", required_argument, nullptr, opt_drops_rate_limit},
      {"drops-family-id", required_argument, nullptr, opt_drops_family_id},
      {"sample", required_argument, nullptr, opt_sample},
      {"sample-egress", required_argument, nullptr, opt_sample_egress},
      {"sample-group", required_argument, nullptr, opt_sample_group},
      {"sample-pattern", required_argument, nullptr, opt_sample_pattern},
      {"sample-rate", required_argument, nullptr, opt_sample_rate},
      {"metrics-file", required_argument, nullptr, opt_metrics_file},
      {"metrics-interval", required_argument, nullptr, opt_metrics_interval},
      {"config", required_argument, nullptr, opt_config},
      {"group", required_argument, nullptr, 'g'},
      {"write", required_argument, nullptr, 'w'},
      {"read", required_argument, nullptr, 'r'},
      {"help", no_argument, nullptr, 'h'},
      {nullptr, 0, nullptr, 0},
  };
  // The configuration file's lines go first, less the keys the command line
  // gives (config_file.hpp), then the command line.
  std::string error;
  std::vector<std::string> arguments{argv[0]};
  std::vector<std::string> origins{std::string()};
  std::string config = tools::config_path(argc, argv);
  if (config.empty() && ::access(default_config, F_OK) == 0) {
    config = default_config;
    std::fprintf(stderr, "psample-sflow: options from %s (--config FILE to read another)\n", default_config);
  }
  if (!config.empty()) {
    std::vector<tools::ConfigArgument> lines;
    if (!tools::read_config_file(config, long_options, lines, error)) return fail(error);
    const std::vector<std::string> given = tools::command_line_keys(argc, argv, long_options, "g:group w:write r:read");
    for (const tools::ConfigArgument& line : lines) {
      const std::string key = line.text.substr(2, line.text.find('=') - 2);
      if (std::find(given.begin(), given.end(), key) != given.end()) continue;
      arguments.push_back(line.text);
      origins.push_back(line.origin);
    }
  }
  for (int i = 1; i < argc; ++i) {
    arguments.push_back(argv[i]);
    origins.push_back(std::string());
  }
  std::vector<char*> pointers;
  for (std::string& a : arguments) pointers.push_back(&a[0]);
  pointers.push_back(nullptr);
  argc = int(arguments.size());
  argv = pointers.data();

  opterr = 0;
  optind = 0;  // glibc: start afresh (a reload parses again)
  int c;
  unsigned long long v = 0;
  while ((c = getopt_long(argc, argv, ":w:r:g:h", long_options, nullptr)) != -1) {
    parsing_origin = optind >= 1 && optind - 1 < int(origins.size()) ? origins[size_t(optind - 1)] : std::string();
    switch (c) {
      case opt_config: break;  // read above
      case opt_collector: {
        sflow_agent::Endpoint e;
        if (!sflow_agent::parse_endpoint(optarg, psample::sflow::default_port, e, error))
          return fail("--collector: " + error);
        o.collectors.push_back(e);
        break;
      }
      case opt_agent: o.agent_address = optarg; break;
      case opt_sub_agent:
        if (!tools::parse_number(optarg, 0xffffffffull, v)) return fail("--sub-agent-id wants a number");
        o.sub_agent_id = uint32_t(v);
        break;
      case 'g':
        if (!tools::parse_number(optarg, 0xffffffffull, v)) return fail("-g wants a group number");
        if (!o.groups.add(uint32_t(v))) return fail("-g: at most 200 groups");
        break;
      case opt_egress:
        if (!tools::parse_number(optarg, 0xffffffffull, v)) return fail("--egress-group wants a group number");
        o.egress_groups.push_back(uint32_t(v));
        break;
      case opt_header:
        if (!tools::parse_number(optarg, 65535, v) || v == 0) return fail("--header-bytes wants 1-65535");
        o.header_bytes = size_t(v);
        break;
      case opt_max:
        if (!tools::parse_number(optarg, 65507, v) || v < 200) return fail("--max-datagram wants 200-65507 bytes");
        o.max_datagram = size_t(v);
        break;
      case opt_counters:
        if (!tools::parse_number(optarg, 86400, v)) return fail("--counter-interval wants seconds (0-86400, 0 = none)");
        o.counter_interval = unsigned(v);
        break;
      case opt_netns: o.netns = optarg; break;
      case opt_family_id:
        if (!tools::parse_number(optarg, 0xffff, v)) return fail("--family-id wants a number (0-65535)");
        o.family_id = int(v);
        break;
      case opt_drops: o.drops = true; break;
      case opt_drops_start:
        o.drops = true;
        if (optarg == nullptr || std::strcmp(optarg, "software") == 0)
          o.drops_start_software = true;
        else if (std::strcmp(optarg, "hardware") == 0)
          o.drops_start_hardware = true;
        else if (std::strcmp(optarg, "all") == 0)
          o.drops_start_software = o.drops_start_hardware = true;
        else
          return fail(std::string("--drops-start is software, hardware or all, not ") + optarg);
        break;
      case opt_drops_rate_limit:
        if (!tools::parse_number(optarg, 0xffffffffull, v)) return fail("--drops-rate-limit wants drops per second");
        o.drops_rate_limit = uint32_t(v);
        break;
      case opt_drops_family_id:
        if (!tools::parse_number(optarg, 0xffff, v)) return fail("--drops-family-id wants a number (0-65535)");
        o.drops_family_id = int(v);
        break;
      case opt_sample:
      case opt_sample_egress: {
        tools::SampleSpec spec;
        const auto direction =
            c == opt_sample ? psample::sampling::Direction::ingress : psample::sampling::Direction::egress;
        if (!tools::parse_sample_spec(optarg, direction, spec, error))
          return fail(std::string(c == opt_sample ? "--sample " : "--sample-egress ") + optarg + ": " + error);
        o.sampling.specs.push_back(spec);
        break;
      }
      case opt_sample_pattern:
        if (!tools::check_pattern(optarg, error))
          return fail(std::string("--sample-pattern ") + optarg +
                      ": not a POSIX extended regular expression: " + error);
        o.sampling.pattern = optarg;
        break;
      case opt_sample_rate:
        if (!tools::parse_number(optarg, 0xffffffffull, v) || v == 0)
          return fail("--sample-rate wants 1 in N, N from 1 to 4294967295");
        o.sampling.default_rate = uint32_t(v);
        break;
      case opt_sample_group:
        if (!tools::parse_number(optarg, 0xfffffffeull, v)) return fail("--sample-group wants a group number");
        o.sample_group = int64_t(v);
        break;
      case opt_metrics_file:
        o.metrics_file = optarg;
        if (!tools::metrics_path_ok(o.metrics_file, error))
          return fail("--metrics-file " + o.metrics_file + ": " + error);
        break;
      case opt_metrics_interval:
        if (!tools::parse_number(optarg, 86400, v) || v == 0) return fail("--metrics-interval wants 1-86400 seconds");
        o.metrics_interval = unsigned(v);
        break;
      case 'w': o.write_file = optarg; break;
      case 'r': o.read_file = optarg; break;
      case 'h':
        std::fputs(usage, stdout);
        std::fputs(exit_status_usage, stdout);
        exit_now = true;
        return 0;
      case ':': return fail(std::string("option needs a value: ") + argv[optind - 1]);
      default: return fail(std::string("unknown option: ") + argv[optind - 1]);
    }
  }
  parsing_origin.clear();
  if (optind < argc) return fail(std::string("unexpected argument: ") + argv[optind]);
  if (o.collectors.empty() && o.write_file.empty())
    return fail("nowhere to send: give --collector HOST[:PORT] and/or -w FILE");
  if (!o.read_file.empty() && (o.drops_start_software || o.drops_start_hardware))
    return fail("--drops-start is for live export, not -r");
  if (!o.read_file.empty() && !o.sampling.empty())
    return fail("--sample and --sample-pattern are for live export, not -r");
  if (o.sample_group < 0) o.sample_group = o.groups.empty() ? 1 : *o.groups.begin();
  if (o.sample_group >= 0xffffffffll) return fail("--sample-group: egress rules need group + 1 to fit 32 bits");
  // The groups the rules send to are received, and the egress one is exported as egress.
  o.sampling.group = uint32_t(o.sample_group);
  o.sampling.trunc = uint32_t(o.header_bytes);
  std::vector<psample::sampling::Direction> directions;
  for (const tools::SampleSpec& spec : o.sampling.specs) directions.push_back(spec.direction);
  if (!o.sampling.pattern.empty()) directions.push_back(psample::sampling::Direction::ingress);
  for (const psample::sampling::Direction direction : directions) {
    const uint32_t group = tools::group_for(direction, o.sampling.group);
    if (!o.groups.empty() && std::find(o.groups.begin(), o.groups.end(), group) == o.groups.end() &&
        !o.groups.add(group))
      return fail("-g: at most 200 groups");
    if (direction == psample::sampling::Direction::egress &&
        std::find(o.egress_groups.begin(), o.egress_groups.end(), group) == o.egress_groups.end())
      o.egress_groups.push_back(group);
  }
  return 0;
}

// ARPHRD of an interface from sysfs: layer-3 devices (tun, ipip, gre, ...)
// give frames that start at the IP header. Cached per ifindex.
bool layer3_device(uint32_t ifindex) {
  static std::unordered_map<uint32_t, bool> cache;
  auto found = cache.find(ifindex);
  if (found != cache.end()) return found->second;
  char name[IF_NAMESIZE] = {};
  bool layer3 = false;
  if (ifindex != 0 && if_indextoname(ifindex, name) != nullptr) {
    std::ifstream type(std::string("/sys/class/net/") + name + "/type");
    int arphrd = 1;
    if (type >> arphrd) layer3 = arphrd != 1 && arphrd != 772;  // not ARPHRD_ETHER or ARPHRD_LOOPBACK
  }
  cache[ifindex] = layer3;
  return layer3;
}

void summary(const sflow_agent::Exporter& e, const psample::Receiver* r, const DropMonitor* m, uint64_t send_errors) {
  // The export's figures with the Receiver's, then per data source and per
  // group; the drop monitor's line with --drops.
  std::fprintf(stderr,
               "%s: samples=%" PRIu64 " counter_samples=%" PRIu64 " datagrams=%" PRIu64 " bytes=%" PRIu64
               " %s clipped=%" PRIu64 " send_errors=%" PRIu64 "\n",
               tool, e.samples(), e.counter_samples(), e.datagrams(), e.bytes(),
               r ? receiver_figures(r->stats()).c_str() : "psample=off", e.clipped(), send_errors);
  for (const auto& source : e.sources())
    std::fprintf(
        stderr, "%s: source=%" PRIu32 " samples=%" PRIu64 " pool=%" PRIu64 " drops=%" PRIu64 " takebacks=%" PRIu64 "\n",
        tool, source.first, source.second.samples, source.second.pool, source.second.drops, source.second.takebacks);
  if (r) print_group_lines(stderr, tool, *r);
  if (m)
    std::fprintf(stderr, "%s: drops=%" PRIu64 " discards=%" PRIu64 " %s\n", tool, m->stats().drops, e.discards(),
                 drop_monitor_figures(m->stats()).c_str());
}

// --metrics-file: the agent's figures (the summary's) as Prometheus metrics.
// SIGHUP's reloads: applied, and refused (the running configuration kept).
uint64_t reloads_applied = 0, reloads_refused = 0;

void write_metrics(const std::string& path, std::time_t started, const sflow_agent::Exporter& e,
                   const psample::Receiver* r, const DropMonitor* m, const sflow_agent::Collectors& collectors) {
  MetricsText metrics("psample_sflow_");
  add_process_metrics(metrics, started);
  metrics.family("reloads_total", "counter", "Configuration reloads (SIGHUP), applied or refused.");
  metrics.sample(reloads_applied, "result", "applied");
  metrics.sample(reloads_refused, "result", "refused");
  if (r) add_receiver_metrics(metrics, *r);
  if (m) add_drop_monitor_metrics(metrics, m->stats());
  metrics.family("flow_samples_total", "counter", "sFlow flow samples exported, per data source (ifindex).");
  for (const auto& source : e.sources()) metrics.sample(source.second.samples, "source", std::to_string(source.first));
  metrics.family("sample_pool_total", "counter", "The sFlow sample_pool of each data source: packets it saw.");
  for (const auto& source : e.sources()) metrics.sample(source.second.pool, "source", std::to_string(source.first));
  metrics.family("source_drops_total", "counter", "The sFlow drops field of each data source: samples lost.");
  for (const auto& source : e.sources()) metrics.sample(source.second.drops, "source", std::to_string(source.first));
  metrics.family("interface_samples_total", "counter", "sFlow counters samples (interface counters) exported.");
  metrics.sample(e.counter_samples());
  metrics.family("discard_samples_total", "counter", "sFlow discarded packet samples exported (--drops).");
  metrics.sample(e.discards());
  metrics.family("clipped_total", "counter", "Samples whose records did not fit a datagram and were cut.");
  metrics.sample(e.clipped());
  metrics.family("datagrams_total", "counter", "sFlow datagrams sent, per collector.");
  for (const auto& c : collectors.counters()) metrics.sample(c.datagrams, "collector", c.name);
  metrics.family("datagram_bytes_total", "counter", "Bytes of the sFlow datagrams sent, per collector.");
  for (const auto& c : collectors.counters()) metrics.sample(c.bytes, "collector", c.name);
  metrics.family("send_errors_total", "counter",
                 "Datagrams a collector's socket refused (collector down, queue full).");
  for (const auto& c : collectors.counters()) metrics.sample(c.send_errors, "collector", c.name);
  std::string error;
  if (!write_metrics_file(path, metrics.text(), error)) std::fprintf(stderr, "%s: %s\n", tool, error.c_str());
}

// The endpoints' texts, to compare two configurations' collectors.
std::vector<std::string> endpoint_texts(const std::vector<sflow_agent::Endpoint>& endpoints) {
  std::vector<std::string> texts;
  for (const auto& e : endpoints) texts.push_back(e.text);
  return texts;
}

// SIGHUP: the command line and the configuration file read again. Collectors,
// groups (the kernel filter replaced on the open socket), sampling rules and
// their rates, and the metrics file take effect now; the
// Receiver's socket stays open, so nothing queued is lost. What the running
// Receiver or exporter was built with (header bytes, agent address, ...) is
// told to need a restart and kept. A configuration that does not
// parse is refused whole.
void reload(int argc, char** argv, Options& o, sflow_agent::Collectors& collectors, SamplingSetup& sampling,
            const psample::Receiver& receiver) {
  Options n;
  bool exit_now = false;
  reloading = true;
  const int parsed = parse(argc, argv, n, exit_now);
  reloading = false;
  parsing_origin.clear();
  if (parsed != 0 || exit_now) {
    ++reloads_refused;
    std::fprintf(stderr, "%s: reload refused: the running configuration stays\n", tool);
    return;
  }
  const auto restart_only = [](const char* option, bool changed) {
    if (changed)
      std::fprintf(stderr, "%s: reload: %s changed: it takes effect when psample-sflow restarts\n", tool, option);
  };
  restart_only("--egress-group", n.egress_groups != o.egress_groups);
  restart_only("--header-bytes", n.header_bytes != o.header_bytes);
  restart_only("--sample-group", n.sampling.group != o.sampling.group);
  restart_only("--max-datagram", n.max_datagram != o.max_datagram);
  restart_only("--agent-address", n.agent_address != o.agent_address);
  restart_only("--sub-agent-id", n.sub_agent_id != o.sub_agent_id);
  restart_only("--counter-interval", n.counter_interval != o.counter_interval);
  restart_only("--netns", n.netns != o.netns);
  restart_only("-w/--write", n.write_file != o.write_file);
  restart_only("--drops", n.drops != o.drops || n.drops_start_software != o.drops_start_software ||
                              n.drops_start_hardware != o.drops_start_hardware ||
                              n.drops_rate_limit != o.drops_rate_limit);
  // -g: the Receiver's kernel filter replaced on its open socket.
  const bool groups_changed = std::vector<uint32_t>(n.groups.begin(), n.groups.end()) !=
                              std::vector<uint32_t>(o.groups.begin(), o.groups.end());
  if (groups_changed) {
    std::string error;
    if (!tools::refilter_groups(receiver.fd(), n.groups, error)) {
      ++reloads_refused;
      std::fprintf(stderr, "%s: reload refused: -g: %s; the running configuration stays\n", tool, error.c_str());
      return;
    }
  }
  const psample::GroupList old_groups = o.groups;
  o.groups = n.groups;
  if (endpoint_texts(n.collectors) != endpoint_texts(o.collectors)) {
    std::string error;
    if (!collectors.reopen(n.collectors, error)) {
      std::string undo;
      if (groups_changed) (void)tools::refilter_groups(receiver.fd(), old_groups, undo);
      o.groups = old_groups;
      ++reloads_refused;
      std::fprintf(stderr, "%s: reload refused: %s; the running configuration stays\n", tool, error.c_str());
      return;
    }
    o.collectors = n.collectors;
  }
  // Rules take the new rates and interfaces; their group and truncation
  // stay the running ones (--sample-group and --header-bytes need a restart).
  n.sampling.group = o.sampling.group;
  n.sampling.trunc = o.sampling.trunc;
  sampling.update(tool, n.sampling);
  o.sampling = n.sampling;
  o.metrics_file = n.metrics_file;
  o.metrics_interval = n.metrics_interval;
  ++reloads_applied;
  std::string to, groups;
  for (const auto& e : o.collectors) to += " " + e.text;
  for (uint32_t g : o.groups) groups += " " + std::to_string(g);
  std::fprintf(stderr, "%s: reloaded: collectors%s; groups%s\n", tool, to.empty() ? " none" : to.c_str(),
               groups.empty() ? " all" : groups.c_str());
}

psample::dropmon::DropMonitorOptions drop_monitor_options(const Options& o) {
  psample::dropmon::DropMonitorOptions d;
  d.start_software = o.drops_start_software;
  d.start_hardware = o.drops_start_hardware;
  d.trunc_len = uint32_t(o.header_bytes);  // what a discard sample carries, no more
  d.rate_limit = o.drops_rate_limit;
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  const std::time_t started = std::time(nullptr);
  Options o;
  bool exit_now = false;
  if (int status = parse(argc, argv, o, exit_now); status != 0 || exit_now) return status;

  sflow_agent::ExporterOptions eo;
  if (o.agent_address.empty()) {
    std::string chosen;
    eo.agent = sflow_agent::default_agent_address(chosen);
  } else if (!sflow_agent::parse_agent_address(o.agent_address, eo.agent)) {
    return fail("--agent-address wants a numeric IPv4 or IPv6 address, got " + o.agent_address);
  }
  eo.sub_agent_id = o.sub_agent_id;
  eo.header_bytes = o.header_bytes;
  eo.max_datagram = o.max_datagram;
  eo.egress_groups.insert(o.egress_groups.begin(), o.egress_groups.end());
  const bool offline = !o.read_file.empty();
  if (!offline) eo.layer3_device = layer3_device;  // a capture's interfaces are not ours

  sflow_agent::Collectors collectors;
  std::string error;
  if (!collectors.open(o.collectors, error)) {
    std::fprintf(stderr, "psample-sflow: %s\n", error.c_str());
    return 1;
  }
  sflow_agent::PcapWriter pcap;
  if (!o.write_file.empty() && !pcap.open(o.write_file, eo.agent, o.collectors.empty() ? nullptr : &o.collectors[0])) {
    std::fprintf(stderr, "psample-sflow: cannot write %s: %s\n", o.write_file.c_str(), std::strerror(errno));
    return 1;
  }
  uint64_t datagram_time = 0;
  sflow_agent::Exporter exporter(eo, [&](psample::ByteView d) {
    collectors.send(d);
    pcap.write(d, datagram_time ? datagram_time : realtime_ns());
  });

  psample::ReceiverOptions ro;
  ro.groups = o.groups;
  int status = 0;
  if (offline) {
    // What the capture holds: psample's samples (when it has psample's
    // GETFAMILY reply, or --family-id; required without --drops), and with
    // --drops the drop monitor's.
    CaptureReplay replay;
    if (ExitStatus opened = replay.open(tool, o.read_file); opened != exit_ok) return opened;
    std::optional<psample::Receiver> receiver;
    uint16_t family_id = 0;
    const bool need_psample =
        !o.drops || o.family_id >= 0 || tools::find_family_id(replay.reader(), psample::family_name) >= 0;
    if (need_psample) {
      if (ExitStatus resolved = replay.resolve(psample::family_name, o.family_id, "--family-id", family_id);
          resolved != exit_ok)
        return resolved;
      ro.accept_userspace = true;  // a capture does not tell senders apart
      auto detached = psample::Receiver::detached(family_id, ro);
      if (!detached) return report(tool, detached.error());
      receiver.emplace(std::move(*detached));
    }
    std::optional<DropMonitor> monitor;
    if (o.drops) {
      uint16_t drops_id = 0;
      if (ExitStatus resolved =
              replay.resolve(psample::dropmon::family_name, o.drops_family_id, "--drops-family-id", drops_id);
          resolved != exit_ok)
        return resolved;
      auto detached = DropMonitor::detached(drops_id, drop_monitor_options(o));
      if (!detached) return report(tool, detached.error());
      monitor.emplace(std::move(*detached));
    }
    uint64_t first = 0;
    status = replay.run([&](psample::ByteView datagram, uint64_t time_ns) {
      if (first == 0) first = time_ns;
      datagram_time = time_ns;
      const uint32_t uptime = uint32_t((time_ns - first) / 1000000u);
      if (receiver)
        receiver->process(datagram, 0, [&](const psample::PacketView& p, const psample::SampleSequence& sequence) {
          if (!o.groups.empty() && std::find(o.groups.begin(), o.groups.end(), p.group()) == o.groups.end()) return;
          exporter.sample(p, sequence, uptime);
        });
      if (monitor)
        monitor->process(datagram, 0, [&](const psample::dropmon::DropView& d) {
          exporter.discard(d, monitor->stats().lost(), uptime);  // detached: no kernel to ask, cheap
        });
      return true;
    });
    exporter.flush();
    summary(exporter, receiver ? &*receiver : nullptr, monitor ? &*monitor : nullptr, collectors.send_errors());
    if (!o.metrics_file.empty())
      write_metrics(o.metrics_file, started, exporter, receiver ? &*receiver : nullptr, monitor ? &*monitor : nullptr,
                    collectors);
  } else {
    if (!o.netns.empty()) {
      if (ExitStatus entered = tools::enter_netns(tool, o.netns.c_str()); entered != exit_ok) return entered;
    }
    SamplingSetup sampling;  // --sample's rules, removed on any way out
    ExitStatus sampling_status = exit_ok;
    auto receiver = open_receiver(tool, ro, sampling, o.sampling, sampling_status);
    if (sampling_status != exit_ok) return sampling_status;
    if (!receiver) return report(tool, receiver.error());
    std::optional<DropMonitor> monitor;
    if (o.drops) {
      auto opened = DropMonitor::open(drop_monitor_options(o));
      if (!opened) return report(tool, opened.error());
      monitor.emplace(std::move(*opened));
      if (monitor->start_note()[0] != '\0') std::fprintf(stderr, "%s: %s\n", tool, monitor->start_note());
    }
    // The discards' drops field: what the drop monitor lost so far, as of
    // the last second (the kernel is asked once a second, not per drop).
    uint64_t drops_lost = 0;
    auto next_lost = std::chrono::steady_clock::now();
    sflow_agent::InterfaceCounterReader counter_reader;
    if (o.counter_interval > 0) {
      auto opened = counter_reader.open();
      if (!opened) return report(tool, opened.error());
    }
    auto next_counters = std::chrono::steady_clock::now() + std::chrono::seconds(o.counter_interval);
    // Counter samples for every data source seen so far.
    auto poll_counters = [&](uint32_t uptime) {
      std::unordered_map<uint32_t, psample::sflow::InterfaceCounters> all;
      auto read = counter_reader.read(all);
      if (!read) {
        std::fprintf(stderr, "psample-sflow: reading interface counters: %s\n", read.error().message());
        return;
      }
      for (const auto& source : exporter.sources()) {
        auto found = all.find(source.first);
        if (found != all.end()) exporter.counters(found->second, uptime);
      }
    };
    catch_stop_signals();
    catch_reload_signal();
    // --sample: the rules go in once the socket listens (done already when
    // psample had to be loaded first), and go away on any way out (SIGTERM
    // and SIGINT end the loop; the destructor runs on return).
    if (ExitStatus applied = sampling.apply(tool, o.sampling); applied != exit_ok) return applied;
    const auto start = std::chrono::steady_clock::now();
    auto next_metrics = start;  // the first file at once, so a scraper finds one from the start
    FlushPolicy flushing(flush_interval);
    while (!stop_requested) {
      const auto uptime = uint32_t(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
      std::chrono::milliseconds wait(100);
      if (monitor) {
        if (!wait_for_either(receiver->fd(), monitor->fd(), wait)) {
          std::fprintf(stderr, "%s: poll: %s\n", tool, std::strerror(errno));
          status = exit_runtime;
          break;
        }
        wait = std::chrono::milliseconds(0);
        if (std::chrono::steady_clock::now() >= next_lost) {
          drops_lost = monitor->stats().lost();
          next_lost = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        }
      }
      auto got =
          receiver->receive([&](const psample::PacketView& p,
                                const psample::SampleSequence& sequence) { exporter.sample(p, sequence, uptime); },
                            wait);
      if (got && monitor) {
        auto dropped = monitor->receive(
            [&](const psample::dropmon::DropView& d) { exporter.discard(d, drops_lost, uptime); }, wait);
        if (!dropped)
          got = dropped.error();
        else
          *got += *dropped;
      }
      if (!got && got.error().code() != psample::ErrorCode::interrupted) {
        status = report(tool, got.error());
        break;
      }
      if (o.counter_interval > 0 && std::chrono::steady_clock::now() >= next_counters) {
        poll_counters(uptime);
        next_counters += std::chrono::seconds(o.counter_interval);
        exporter.flush();  // counter samples go at once, whether samples flow or not
      }
      if (flushing.after_receive(got ? *got : 0)) exporter.flush();
      if (!o.metrics_file.empty() && std::chrono::steady_clock::now() >= next_metrics) {
        write_metrics(o.metrics_file, started, exporter, &*receiver, monitor ? &*monitor : nullptr, collectors);
        next_metrics += std::chrono::seconds(o.metrics_interval);
      }
      sampling.follow(tool);  // --sample-pattern: interfaces that came or went
      if (reload_requested) {
        reload_requested = 0;
        reload(argc, argv, o, collectors, sampling, *receiver);
        next_metrics = std::chrono::steady_clock::now();  // the reload's figures at once
      }
    }
    // A last counter sample for each data source on the way out.
    if (o.counter_interval > 0)
      poll_counters(uint32_t(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()));
    exporter.flush();
    sampling.remove(tool);
    summary(exporter, &*receiver, monitor ? &*monitor : nullptr, collectors.send_errors());
    if (!o.metrics_file.empty())
      write_metrics(o.metrics_file, started, exporter, &*receiver, monitor ? &*monitor : nullptr, collectors);
  }
  if (!pcap.close()) {
    std::fprintf(stderr, "psample-sflow: writing %s failed\n", o.write_file.c_str());
    return 1;
  }
  return status;
}
