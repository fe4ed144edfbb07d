// The receive-path load benchmark. Runs inside the test VM (run-load.sh
// starts it): puts a tc sample rule (rate 1) on lo's ingress, floods lo with
// UDP from a generator pinned to CPU 0, and runs receivers pinned to CPU 1,
// all at once (race) or one at a time (solo). Per receiver and run it reads:
//   offered   GROUP_SEQ advance of the group (GET_GROUP dump before and after)
//   received  what the receiver itself counted (printed when it gets SIGTERM)
//   drops     the kernel's Drops column for the receiver's socket (/proc/net/netlink)
//   overruns  ENOBUFS reports the receiver saw
//   cpu       the receiver's CPU time while the stream ran (/proc/PID/schedstat, ns)
//   rss       its resident memory at the end (VmRSS)
// and prints per-run lines, then a table of medians with each receiver's CPU
// per sample as a ratio to the reference receiver's in the same run (solo:
// the reference's solo run at the same load and repetition).
//
//   load-bench [--modes race,solo] [--rates max,5000,2000] [--reps 3] [--seconds 3]
//              [--receivers NAME,...] [--strace] [--check] [--generators 2]
//
// Receivers (all_kinds() below): reference (plain C, one blocking recv per
// datagram), reference-mmsg (the same with recvmmsg), receiver (the library,
// default options), dump-{text,json}-{file,null} and dump-pcapng-file
// (psample-dump), sflow-pcap-null (psample-sflow -w /dev/null); on request only: receiver-1 (datagrams_per_syscall 1)
// and receiver-kernel-rcvbuf (receive_buffer_bytes 0).
//
// --check exits 1 unless received + drops = offered for every receiver and run
// (the accounting smoke test), a receiver's loss estimate is 0 whenever its
// kernel drops are, and psample-sflow's pool counts each GROUP_SEQ number from
// the first to the last once, with drops = its loss estimate + take-backs. --generators 2 adds a generator on CPU 1:
// two CPUs then sample into one group, so sequence numbers arrive out of order. --strace adds one race run at max load
// with each receiver under `strace -c` and prints receive syscalls per sample.
#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "psample/psample.hpp"

namespace {

using namespace bench;

constexpr uint32_t sample_group = 1;
const char* const work_dir = "/tmp/load";

struct ReceiverKind {
  std::string name;
  std::vector<std::string> argv;
  std::string stdout_path;  // where its stdout goes
  bool reports_on_stderr;   // psample-dump prints its summary on stderr
  bool by_default = true;   // run without --receivers (the others are settings compared on request)
};

std::vector<ReceiverKind> all_kinds() {
  const std::string d = work_dir;
  std::vector<ReceiverKind> kinds = {
      {"reference", {"load-reference-receiver"}, d + "/reference.out", false},
      {"reference-mmsg", {"load-reference-receiver", "mmsg"}, d + "/reference-mmsg.out", false},
      {"receiver", {"load-library-receiver"}, d + "/receiver.out", false},
      {"receiver-1", {"load-library-receiver", "1"}, d + "/receiver-1.out", false, false},
      {"receiver-kernel-rcvbuf", {"load-library-receiver", "16", "0"}, d + "/receiver-kernel-rcvbuf.out", false, false},
      {"dump-text-file", {"psample-dump", "-n"}, d + "/dump-text.txt", true},
      {"dump-text-null", {"psample-dump", "-n"}, "/dev/null", true},
      {"dump-json-file", {"psample-dump", "-n", "-F", "json"}, d + "/dump-json.txt", true},
      {"dump-json-null", {"psample-dump", "-n", "-F", "json"}, "/dev/null", true},
      {"dump-pcapng-file", {"psample-dump", "-n", "-w", d + "/dump.pcapng"}, "/dev/null", true},
      // psample-sflow writing its datagrams (a collector on 127.0.0.1 would be sampled by lo's rule too).
      {"sflow-pcap-null",
       {"psample-sflow", "-w", "/dev/null", "--agent-address", "192.0.2.1", "--counter-interval", "0"},
       "/dev/null",
       true},
  };
  return kinds;
}

bool run_shell(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status != 0) std::fprintf(stderr, "load-bench: '%s' failed (%d)\n", command.c_str(), status);
  return status == 0;
}

// The group's GROUP_SEQ now, from a GET_GROUP dump.
uint32_t group_seq() {
  psample::GroupInfo groups[64];
  auto count = psample::list_groups(groups, 64);
  if (!count) {
    std::fprintf(stderr, "load-bench: list_groups: %s\n", count.error().message());
    std::exit(2);
  }
  for (size_t i = 0; i < *count && i < 64; ++i)
    if (groups[i].group == sample_group) return groups[i].seq;
  std::fprintf(stderr, "load-bench: group %u not found\n", sample_group);
  std::exit(2);
}

// --- per-process readings ------------------------------------------------------

uint64_t rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  uint64_t value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
  }
  return 0;
}

// --- one run -------------------------------------------------------------------

struct Running {
  const ReceiverKind* kind;
  pid_t pid = 0;
  std::string err_path, strace_path;
  pid_t owner = 0;  // the receiver itself (under strace: strace's child)
  std::vector<unsigned long> inodes;
  uint64_t cpu_before = 0;
};

struct Reading {
  std::string name;
  uint64_t offered = 0, received = 0, drops = 0, overruns = 0, cpu_ns = 0, receive_calls = 0, strace_calls = 0;
  int64_t lost = -1;        // the receiver's own loss estimate, where it prints one
  int64_t reordered = -1;   // samples it saw out of GROUP_SEQ order, where it prints that
  int64_t duplicates = -1;  // GROUP_SEQ values it saw twice, where it prints that
  uint64_t rss_kib = 0;     // resident memory at the end of the run (VmRSS)
  uint32_t seq_before = 0;  // the group's GROUP_SEQ when the stream started: its first sample's number
  // psample-sflow's data source (lo) and group: sFlow pool and drops, take-backs waiting, highest GROUP_SEQ seen.
  int64_t pool = -1, charged_drops = -1, takebacks = -1, last_seq = -1;
  bool ok = false;
};

pid_t start_receiver(const ReceiverKind& kind, const std::string& err_path, const std::string& strace_path) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  pin_to_cpu(1);
  const int out = open(kind.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(out, 1);
  dup2(err, 2);
  std::vector<std::string> args;
  if (!strace_path.empty()) args = {"strace", "-c", "-o", strace_path};
  args.insert(args.end(), kind.argv.begin(), kind.argv.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::perror("load-bench: exec");
  _exit(127);
}

// The generator: UDP datagrams over lo to a socket that never reads (so no
// ICMP comes back), `rate` per second (0: as fast as it can), for `seconds`.
pid_t start_generator(unsigned rate, double seconds, int cpu) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  pin_to_cpu(cpu);
  const int sink = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(sink, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(sink, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    _exit(1);
  const int sender = socket(AF_INET, SOCK_DGRAM, 0);
  if (connect(sender, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) _exit(1);
  char payload[64] = "psample-cpp load benchmark";
  const uint64_t start = now_ns(), duration = uint64_t(seconds * 1e9);
  uint64_t sent = 0;
  for (;;) {
    const uint64_t elapsed = now_ns() - start;
    if (elapsed >= duration) break;
    if (rate == 0) {
      for (int i = 0; i < 64; ++i) sent += send(sender, payload, sizeof payload, 0) > 0;
      continue;
    }
    const uint64_t due = elapsed * rate / 1000000000u;
    while (sent < due) sent += send(sender, payload, sizeof payload, 0) > 0;
    sleep_us(1000);
  }
  _exit(0);
}

int generators = 1;  // --generators 2: a second one on CPU 1 samples into the same group

std::vector<Reading> run_once(const std::vector<const ReceiverKind*>& kinds, unsigned rate, double seconds,
                              bool with_strace) {
  std::vector<Running> running;
  for (const ReceiverKind* kind : kinds) {
    Running r;
    r.kind = kind;
    r.err_path = std::string(work_dir) + "/" + kind->name + ".err";
    if (with_strace) r.strace_path = std::string(work_dir) + "/" + kind->name + ".strace";
    r.pid = start_receiver(*kind, r.err_path, r.strace_path);
    running.push_back(r);
  }
  // Wait until every receiver has its netlink socket (strace: the traced child's).
  const uint64_t give_up = now_ns() + 20000000000ull;
  for (Running& r : running) {
    for (;;) {
      pid_t owner = r.pid;
      if (with_strace) {  // the receiver is strace's child
        std::ifstream children("/proc/" + std::to_string(r.pid) + "/task/" + std::to_string(r.pid) + "/children");
        pid_t child = 0;
        if (children >> child) owner = child;
      }
      r.owner = owner;
      r.inodes = socket_inodes(owner);
      if (!r.inodes.empty() && netlink_rows(r.inodes, NETLINK_GENERIC).found) break;
      if (now_ns() > give_up) {
        std::fprintf(stderr, "load-bench: %s did not open its socket; its stderr:\n", r.kind->name.c_str());
        run_shell("cat " + r.err_path + " >&2");
        std::exit(2);
      }
      sleep_us(20000);
    }
  }
  sleep_us(1000000);  // past open(): joined and waiting
  const uint32_t seq_before = group_seq();
  for (Running& r : running) r.cpu_before = cpu_ns(r.pid);
  std::vector<pid_t> running_generators;
  for (int g = 0; g < generators; ++g) running_generators.push_back(start_generator(rate, seconds, g));
  for (pid_t g : running_generators) waitpid(g, nullptr, 0);
  // Drained: every receiver's queue is empty.
  const uint64_t drain_deadline = now_ns() + 30000000000ull;
  for (;;) {
    uint64_t queued = 0;
    for (Running& r : running) queued += netlink_rows(r.inodes, NETLINK_GENERIC).rmem;
    if (queued == 0 || now_ns() > drain_deadline) break;
    sleep_us(50000);
  }
  sleep_us(200000);
  const uint32_t seq_after = group_seq();
  std::vector<Reading> readings;
  for (Running& r : running) {
    Reading reading;
    reading.name = r.kind->name;
    reading.offered = uint32_t(seq_after - seq_before);
    reading.seq_before = seq_before;
    reading.cpu_ns = cpu_ns(r.pid) - r.cpu_before;
    reading.drops = netlink_rows(r.inodes, NETLINK_GENERIC).drops;
    reading.rss_kib = rss_kib(r.owner);
    readings.push_back(reading);
  }
  for (Running& r : running) kill(r.owner, SIGTERM);  // strace then prints its table and exits
  for (size_t i = 0; i < running.size(); ++i) {
    Running& r = running[i];
    int status = 0;
    waitpid(r.pid, &status, 0);
    Reading& reading = readings[i];
    const auto values = key_values(r.kind->reports_on_stderr ? r.err_path : r.kind->stdout_path);
    const char* count_key = r.kind->reports_on_stderr ? "samples" : "received";
    reading.ok = values.count(count_key) != 0;
    if (reading.ok) reading.received = values.at(count_key);
    if (values.count("overruns")) reading.overruns = values.at("overruns");
    if (values.count("lost")) reading.lost = int64_t(values.at("lost"));
    if (values.count("reordered")) reading.reordered = int64_t(values.at("reordered"));
    if (values.count("duplicates")) reading.duplicates = int64_t(values.at("duplicates"));
    if (values.count("pool")) {  // psample-sflow: one data source (lo), one group
      reading.pool = int64_t(values.at("pool"));
      reading.charged_drops = int64_t(values.at("drops"));
      reading.takebacks = int64_t(values.at("takebacks"));
      reading.last_seq = int64_t(values.at("last_seq"));
    }
    if (!reading.ok) {
      std::fprintf(stderr, "load-bench: %s printed no counters (exit status %d); its stderr:\n", reading.name.c_str(),
                   status);
      run_shell("cat " + r.err_path + " >&2");
    }
    if (with_strace) {
      // strace -c: "% time seconds usecs/call calls errors syscall"
      std::ifstream in(r.strace_path);
      std::string line;
      while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::vector<std::string> f;
        std::string w;
        while (fields >> w) f.push_back(w);
        if (f.size() < 5 || f[0].find('.') == std::string::npos) continue;
        const std::string& name = f.back();
        const uint64_t calls = std::strtoull(f[3].c_str(), nullptr, 10);
        if (name == "total") continue;
        reading.strace_calls += calls;
        if (name == "recvmsg" || name == "recvmmsg" || name == "recvfrom" || name == "recv" || name == "poll" ||
            name == "ppoll" || name == "epoll_wait")
          reading.receive_calls += calls;
      }
    }
  }
  return readings;
}

// --- reporting -------------------------------------------------------------------

double loss_percent(const Reading& r) {
  return r.offered ? 100.0 * double(r.offered > r.received ? r.offered - r.received : 0) / double(r.offered) : 0;
}
double us_per_sample(const Reading& r) { return r.received ? double(r.cpu_ns) / 1000.0 / double(r.received) : 0; }

}  // namespace

int main(int argc, char** argv) {
  RunOptions run;
  run.rates = {"max", "5000", "2000"};
  run.seconds = 3;
  bool with_strace = false;
  for (int i = 1; i < argc; ++i) {
    if (run.take(argc, argv, &i)) continue;
    const std::string a = argv[i];
    if (a == "--strace") {
      with_strace = true;
    } else if (a == "--generators" && i + 1 < argc) {
      generators = std::atoi(argv[++i]) == 2 ? 2 : 1;
    } else {
      std::fprintf(stderr, "load-bench: unknown argument %s (see the header of load_bench.cpp)\n", a.c_str());
      return 2;
    }
  }
  const std::vector<std::string>&modes = run.modes, &rates = run.rates, &names = run.names;
  const int reps = run.reps;
  const double seconds = run.seconds;
  const bool check = run.check;
  const std::vector<ReceiverKind> kinds = all_kinds();
  std::vector<const ReceiverKind*> chosen;
  for (const auto& k : kinds)
    if (names.empty() ? k.by_default : std::find(names.begin(), names.end(), k.name) != names.end())
      chosen.push_back(&k);
  if (chosen.empty() || chosen[0]->name != "reference") {
    std::fprintf(stderr, "load-bench: the reference receiver must be among the receivers\n");
    return 2;
  }
  run_shell(std::string("mkdir -p ") + work_dir);
  run_shell("tc qdisc add dev lo clsact && tc filter add dev lo ingress matchall action sample rate 1 group " +
            std::to_string(sample_group));
  signal(SIGPIPE, SIG_IGN);

  bool accounting_ok = true;
  // results[mode][rate][receiver] = readings over repetitions, with ratio to reference
  struct Row {
    std::vector<Reading> runs;
    std::vector<double> ratio;
  };
  std::map<std::string, std::map<std::string, std::map<std::string, Row>>> results;
  std::printf("# per run: mode rate rep receiver offered received drops overruns loss%% cpu_us/sample [lost]\n");
  for (const std::string& mode : modes) {
    for (const std::string& rate_name : rates) {
      const unsigned rate = rate_name == "max" ? 0 : unsigned(std::atoi(rate_name.c_str()));
      for (int rep = 0; rep < reps; ++rep) {
        std::vector<Reading> readings;
        if (mode == "race") {
          readings = run_once(chosen, rate, seconds, false);
        } else {
          for (const ReceiverKind* k : chosen) readings.push_back(run_once({k}, rate, seconds, false)[0]);
        }
        const double reference = us_per_sample(readings[0]);
        for (const Reading& r : readings) {
          std::printf("run %s %s %d %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %.2f %.1f", mode.c_str(),
                      rate_name.c_str(), rep, r.name.c_str(), r.offered, r.received, r.drops, r.overruns,
                      loss_percent(r), us_per_sample(r));
          if (r.lost >= 0)
            std::printf(" lost=%" PRId64 " reordered=%" PRId64 " duplicates=%" PRId64, r.lost, r.reordered,
                        r.duplicates);
          std::printf("\n");
          // Two CPUs sampling into one group: the kernel's unordered seq++
          // now and then gives two samples one number, so more arrive than
          // the seq advanced; a receiver that counts duplicates must account
          // for each one (its count can be higher: a sample that arrives
          // before the first one it saw looks like a duplicate).
          const uint64_t accounted = r.received + r.drops;
          const bool within_duplicates = r.duplicates < 0 || accounted <= r.offered + uint64_t(r.duplicates);
          const bool balanced = generators == 1 ? accounted == r.offered : accounted >= r.offered && within_duplicates;
          if (!r.ok || !balanced) {
            accounting_ok = false;
            std::printf("ACCOUNTING %s: received %" PRIu64 " + drops %" PRIu64 " != offered %" PRIu64 "\n",
                        r.name.c_str(), r.received, r.drops, r.offered);
          }
          // The estimate from GROUP_SEQ must not invent loss the kernel did not see.
          if (r.lost >= 0 && r.drops == 0 && r.lost != 0) {
            accounting_ok = false;
            std::printf("ACCOUNTING %s: lost %" PRId64 " with no kernel drops\n", r.name.c_str(), r.lost);
          }
          // psample-sflow's invariants (README "psample-sflow"), rate 1: pool
          // counts every number from the first sample's to the last's once,
          // delivered or lost (where no number came twice); drops are the
          // loss estimate plus the take-backs still waiting.
          if (r.pool >= 0) {
            const int64_t numbers = int64_t(uint32_t(uint32_t(r.last_seq) - r.seq_before)) + 1;
            std::printf("sflow %s: pool=%" PRId64 " numbers=%" PRId64 " drops=%" PRId64 " lost=%" PRId64
                        " takebacks=%" PRId64 "\n",
                        r.name.c_str(), r.pool, numbers, r.charged_drops, r.lost, r.takebacks);
            if ((r.duplicates == 0 && r.pool != numbers) || r.charged_drops != r.lost + r.takebacks) {
              accounting_ok = false;
              std::printf("ACCOUNTING %s: pool %" PRId64 " for GROUP_SEQ %" PRIu32 "..%" PRId64 ", drops %" PRId64
                          " for lost %" PRId64 " + take-backs %" PRId64 "\n",
                          r.name.c_str(), r.pool, r.seq_before, r.last_seq, r.charged_drops, r.lost, r.takebacks);
            }
          }
          Row& row = results[mode][rate_name][r.name];
          row.runs.push_back(r);
          row.ratio.push_back(reference > 0 ? us_per_sample(r) / reference : 0);
        }
        std::fflush(stdout);
      }
    }
  }

  std::printf(
      "\n| mode | load/s | receiver | offered | received | kernel drops | overruns | loss %% | CPU us/sample | x "
      "reference | RSS KiB |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const std::string& mode : modes) {
    for (const std::string& rate_name : rates) {
      for (const ReceiverKind* k : chosen) {
        const Row& row = results[mode][rate_name][k->name];
        uint64_t offered = 0, received = 0, drops = 0, overruns = 0;
        std::vector<double> loss, cpu, rss;
        for (const Reading& r : row.runs) {
          offered += r.offered, received += r.received, drops += r.drops, overruns += r.overruns;
          loss.push_back(loss_percent(r));
          cpu.push_back(us_per_sample(r));
          rss.push_back(double(r.rss_kib));
        }
        std::printf("| %s | %s | %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64
                    " | %.2f | %.1f | %.2f | %.0f |\n",
                    mode.c_str(), rate_name.c_str(), k->name.c_str(), offered, received, drops, overruns, median(loss),
                    median(cpu), median(row.ratio), median(rss));
      }
    }
  }
  std::printf("(sums over %d runs of %.1f s; loss, CPU and ratio are medians)\n", reps, seconds);

  if (with_strace) {
    std::printf(
        "\n| strace -c, race at max | received | receive syscalls (recv*/poll) | per sample | all syscalls per sample "
        "|\n");
    std::printf("|---|---|---|---|---|\n");
    for (const Reading& r : run_once(chosen, 0, seconds, true)) {
      std::printf("| %s | %" PRIu64 " | %" PRIu64 " | %.3f | %.3f |\n", r.name.c_str(), r.received, r.receive_calls,
                  r.received ? double(r.receive_calls) / double(r.received) : 0,
                  r.received ? double(r.strace_calls) / double(r.received) : 0);
    }
  }
  if (check) {
    std::printf(accounting_ok ? "accounting ok: received + kernel drops = offered for every receiver and run\n"
                              : "accounting FAILED (see ACCOUNTING lines)\n");
    return accounting_ok ? 0 : 1;
  }
  return 0;
}
