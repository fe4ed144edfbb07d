// The receive-path load benchmark at native speed, on any Linux host, as
// root, with no VM and no psample module. A producer pinned to CPU 0
// multicasts messages shaped exactly like psample's SAMPLE (act_sample's
// attributes in kernel 6.1's order, 64 bytes of DATA, 148 bytes each, GROUP_SEQ
// counting up) on a NETLINK_USERSOCK group, so every receiver that joined it
// gets the same stream through the same netlink_broadcast path psample uses.
// The receivers (the plain C reference, the Receiver with its default
// coalescing, the Receiver with coalesce 0) run each on its own CPU when
// there are enough (else all on the last one), all at once (race) or one at
// a time (solo), with the socket buffer given (default: the kernel's, as
// adopt() leaves it; 4m: 4 MiB, the Receiver's own default). Per receiver and
// run it reads:
//   sent      what the producer multicast
//   received  what the receiver counted (printed when it gets SIGTERM)
//   drops     the kernel's Drops column for its socket (/proc/net/netlink)
//   cpu       its CPU time while the stream ran (/proc/PID/schedstat), per message
// and prints what a wakeup costs here (after a timer sleep and by data),
// per-run lines, then a table of medians with each receiver's CPU
// per message as a ratio to the reference's in the same run (solo: the
// reference's solo run at the same load, buffer and repetition), and per
// cell whether the Receiver lost more than with coalesce 0 (run by run: the
// mean difference against its standard error).
//
//   native-bench [--modes race,solo] [--rates max,100000,20000] [--buffers default,4m]
//                [--reps 3] [--seconds 2] [--receivers reference,receiver,receiver-c0] [--check]
//
// --check exits 1 unless received + drops = sent for every receiver and run
// (a broken accounting; never a slow machine). Exit 77 (skip) when not root:
// multicast on NETLINK_USERSOCK needs CAP_NET_ADMIN.
#include <dirent.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

using namespace bench;

constexpr uint32_t stream_group = 11;     // NETLINK_USERSOCK group
constexpr uint16_t stream_family = 0x1c;  // the messages' type: the "psample" family id the receivers are told
const char* const work_dir = "/tmp/native-load";

std::string bin_dir;  // where this program and the receivers are (built side by side)

int cpu_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

// --- the producer ------------------------------------------------------------------

void put_attribute(std::vector<uint8_t>& m, uint16_t type, const void* value, uint16_t length) {
  const uint16_t header[2] = {uint16_t(4 + length), type};
  const size_t at = m.size();
  m.resize(at + ((4u + length + 3u) & ~3u), 0);
  std::memcpy(&m[at], header, 4);
  std::memcpy(&m[at + 4], value, length);
}

// A SAMPLE as act_sample sends it on 6.1 (IIFINDEX, SAMPLE_RATE, ORIGSIZE,
// SAMPLE_GROUP, GROUP_SEQ, TIMESTAMP, PROTO, DATA); *seq_at is where GROUP_SEQ's value sits.
std::vector<uint8_t> sample_message(size_t* seq_at) {
  std::vector<uint8_t> m(NLMSG_HDRLEN + GENL_HDRLEN, 0);
  const uint16_t ifindex = 2, proto = 0x0800;
  const uint32_t rate = 1, orig_size = 98, group = 1, seq = 0;
  const uint64_t timestamp = 1764170000123456789ull;
  uint8_t data[64];
  for (size_t i = 0; i < sizeof data; ++i) data[i] = uint8_t(i);
  put_attribute(m, 0, &ifindex, 2);        // PSAMPLE_ATTR_IIFINDEX
  put_attribute(m, 5, &rate, 4);           // PSAMPLE_ATTR_SAMPLE_RATE
  put_attribute(m, 2, &orig_size, 4);      // PSAMPLE_ATTR_ORIGSIZE
  put_attribute(m, 3, &group, 4);          // PSAMPLE_ATTR_SAMPLE_GROUP
  *seq_at = m.size() + 4;                  //
  put_attribute(m, 4, &seq, 4);            // PSAMPLE_ATTR_GROUP_SEQ
  put_attribute(m, 13, &timestamp, 8);     // PSAMPLE_ATTR_TIMESTAMP
  put_attribute(m, 14, &proto, 2);         // PSAMPLE_ATTR_PROTO
  put_attribute(m, 6, data, sizeof data);  // PSAMPLE_ATTR_DATA
  nlmsghdr header{};
  header.nlmsg_len = uint32_t(m.size());
  header.nlmsg_type = stream_family;
  std::memcpy(&m[0], &header, sizeof header);
  const genlmsghdr genl{0 /* PSAMPLE_CMD_SAMPLE */, 1, 0};
  std::memcpy(&m[NLMSG_HDRLEN], &genl, sizeof genl);
  return m;
}

int open_producer_socket() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return -1;
  return fd;
}

// Multicasts one message; true when the group got it (the kernel then tries
// port 0, where USERSOCK has no kernel socket, and answers ECONNREFUSED).
bool multicast(int fd, const std::vector<uint8_t>& m) {
  sockaddr_nl to{};
  to.nl_family = AF_NETLINK;
  to.nl_groups = 1u << (stream_group - 1);
  const ssize_t n = sendto(fd, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  return n == ssize_t(m.size()) || (n < 0 && errno == ECONNREFUSED);
}

// The producer: `rate` messages per second (0: as fast as it can) for
// `seconds`, on CPU 0; writes how many it sent to `report`.
pid_t start_producer(unsigned rate, double seconds, int report) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  pin_to_cpu(0);
  const int fd = open_producer_socket();
  if (fd < 0) _exit(1);
  size_t seq_at = 0;
  std::vector<uint8_t> m = sample_message(&seq_at);
  uint32_t seq = 0;
  uint64_t sent = 0;
  const uint64_t start = now_ns(), duration = uint64_t(seconds * 1e9);
  const auto send_one = [&] {
    ++seq;
    std::memcpy(&m[seq_at], &seq, 4);
    sent += multicast(fd, m);
  };
  for (;;) {
    const uint64_t elapsed = now_ns() - start;
    if (elapsed >= duration) break;
    if (rate == 0) {
      for (int i = 0; i < 64; ++i) send_one();
      continue;
    }
    const uint64_t due = elapsed * rate / 1000000000u;
    while (sent < due) send_one();
    sleep_us(20);
  }
  if (write(report, &sent, sizeof sent) != ssize_t(sizeof sent)) _exit(1);
  _exit(0);
}

// --- receivers -------------------------------------------------------------------

struct ReceiverKind {
  std::string name;
  std::string program;
  std::vector<std::string> args;  // after the program: usersock GROUP FAMILY RCVBUF [COALESCE]
};

std::vector<ReceiverKind> all_kinds(int buffer) {
  const std::string g = std::to_string(stream_group), f = std::to_string(stream_family), b = std::to_string(buffer);
  return {
      {"reference", "load-reference-receiver", {"usersock", g, f, b}},
      {"receiver", "load-library-receiver", {"usersock", g, f, b, "1000"}},
      {"receiver-c0", "load-library-receiver", {"usersock", g, f, b, "0"}},
  };
}

struct Reading {
  std::string name;
  uint64_t sent = 0, received = 0, drops = 0, cpu_ns = 0;
  bool ok = false;
};

struct Running {
  const ReceiverKind* kind;
  pid_t pid = 0;
  std::vector<unsigned long> inodes;
  uint64_t cpu_before = 0;
  std::string out_path, err_path;
};

std::vector<Reading> run_once(const std::vector<const ReceiverKind*>& kinds, unsigned rate, double seconds) {
  const int cpus = cpu_count();
  std::vector<Running> running;
  for (size_t i = 0; i < kinds.size(); ++i) {
    Running r;
    r.kind = kinds[i];
    r.out_path = std::string(work_dir) + "/" + r.kind->name + ".out";
    r.err_path = std::string(work_dir) + "/" + r.kind->name + ".err";
    r.pid = fork();
    if (r.pid == 0) {
      // Its own CPU when there are enough, else the last one (CPU 0 is the producer's).
      pin_to_cpu(cpus > int(kinds.size()) ? int(i) + 1 : cpus - 1);
      const int out = open(r.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = open(r.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, 1);
      dup2(err, 2);
      std::string program = bin_dir + "/" + r.kind->program;
      std::vector<char*> argv{&program[0]};
      std::vector<std::string> args = r.kind->args;
      for (auto& a : args) argv.push_back(&a[0]);
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      std::perror("native-bench: exec");
      _exit(127);
    }
    running.push_back(r);
  }
  const uint64_t give_up = now_ns() + 10000000000ull;
  for (Running& r : running) {
    while ((r.inodes = socket_inodes(r.pid)).empty() || !netlink_rows(r.inodes, NETLINK_USERSOCK).found) {
      if (now_ns() > give_up) {
        std::fprintf(stderr, "native-bench: %s did not open its socket; its stderr:\n", r.kind->name.c_str());
        std::system(("cat " + r.err_path + " >&2").c_str());
        std::exit(2);
      }
      sleep_us(10000);
    }
  }
  sleep_us(200000);  // joined and waiting
  for (Running& r : running) r.cpu_before = cpu_ns(r.pid);
  int report[2];
  if (pipe(report) != 0) std::exit(2);
  const pid_t producer = start_producer(rate, seconds, report[1]);
  int status = 0;
  waitpid(producer, &status, 0);
  uint64_t sent = 0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || read(report[0], &sent, sizeof sent) != ssize_t(sizeof sent)) {
    std::fprintf(stderr, "native-bench: the producer failed (status %d)\n", status);
    std::exit(2);
  }
  close(report[0]);
  close(report[1]);
  const uint64_t drain_deadline = now_ns() + 10000000000ull;
  for (;;) {  // every receiver's queue empty
    uint64_t queued = 0;
    for (Running& r : running) queued += netlink_rows(r.inodes, NETLINK_USERSOCK).rmem;
    if (queued == 0 || now_ns() > drain_deadline) break;
    sleep_us(20000);
  }
  sleep_us(100000);
  std::vector<Reading> readings;
  for (Running& r : running) {
    Reading reading;
    reading.name = r.kind->name;
    reading.sent = sent;
    reading.cpu_ns = cpu_ns(r.pid) - r.cpu_before;
    reading.drops = netlink_rows(r.inodes, NETLINK_USERSOCK).drops;
    readings.push_back(reading);
  }
  for (size_t i = 0; i < running.size(); ++i) {
    kill(running[i].pid, SIGTERM);
    waitpid(running[i].pid, &status, 0);
    const auto values = key_values(running[i].out_path);
    readings[i].ok = values.count("received") != 0;
    if (readings[i].ok) readings[i].received = values.at("received");
    if (!readings[i].ok) {
      std::fprintf(stderr, "native-bench: %s printed no counters (status %d); its stderr:\n", readings[i].name.c_str(),
                   status);
      std::system(("cat " + running[i].err_path + " >&2").c_str());
    }
  }
  return readings;
}

double loss_percent(const Reading& r) {
  return r.sent ? 100.0 * double(r.sent > r.received ? r.sent - r.received : 0) / double(r.sent) : 0;
}
double ns_per_message(const Reading& r) { return r.received ? double(r.cpu_ns) / double(r.received) : 0; }

int buffer_bytes(const std::string& name) {
  if (name == "default") return 0;
  const int n = std::atoi(name.c_str());
  return name.back() == 'm' ? n << 20 : name.back() == 'k' ? n << 10 : n;
}

}  // namespace

// What one wakeup costs the woken thread here, in CPU ns: after a 125 us
// timer sleep (what a coalescing step costs) and by data from another CPU
// (what a blocking receive costs per datagram when they come one at a
// time). On bare metal both are a few us; in some VMs the timer's is many
// times the other, and then short coalescing steps cost more than they save.
void print_wakeup_costs() {
  constexpr int rounds = 2000;
  const timespec step{0, 125000};
  const int last = cpu_count() - 1;
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) return;
  const pid_t child = fork();
  if (child == 0) {  // woken by data: a byte every 125 us from CPU 0
    pin_to_cpu(last);
    const uint64_t start = cpu_ns(getpid());
    char byte;
    for (int i = 0; i < rounds; ++i)
      if (read(to_child[0], &byte, 1) != 1) _exit(1);
    const uint64_t used = cpu_ns(getpid()) - start;
    _exit(write(from_child[1], &used, sizeof used) == sizeof used ? 0 : 1);
  }
  pin_to_cpu(0);
  for (int i = 0; i < rounds; ++i) {
    clock_nanosleep(CLOCK_MONOTONIC, 0, &step, nullptr);
    if (write(to_child[1], "x", 1) != 1) break;
  }
  uint64_t by_data = 0;
  const bool ok = read(from_child[0], &by_data, sizeof by_data) == sizeof by_data;
  waitpid(child, nullptr, 0);
  pin_to_cpu(last);
  const uint64_t start = cpu_ns(getpid());
  for (int i = 0; i < rounds; ++i) clock_nanosleep(CLOCK_MONOTONIC, 0, &step, nullptr);
  const uint64_t by_timer = cpu_ns(getpid()) - start;
  for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) close(fd);
  if (ok)
    std::printf("# wakeup cost on CPU %d: after a 125 us timer sleep %" PRIu64 " ns, by data %" PRIu64 " ns\n", last,
                by_timer / rounds, by_data / rounds);
  pin_to_cpu(0);
}

int main(int argc, char** argv) {
  RunOptions run;
  run.rates = {"max", "100000", "20000"};
  std::vector<std::string> buffers = {"default", "4m"};
  for (int i = 1; i < argc; ++i) {
    if (run.take(argc, argv, &i)) continue;
    if (std::strcmp(argv[i], "--buffers") == 0 && i + 1 < argc) {
      buffers = split(argv[++i]);
      continue;
    }
    std::fprintf(stderr, "native-bench: unknown argument %s (see the header of native_bench.cpp)\n", argv[i]);
    return 2;
  }
  const std::vector<std::string>&modes = run.modes, &rates = run.rates, &names = run.names;
  const int reps = run.reps;
  const double seconds = run.seconds;
  const bool check = run.check;
  char self[4096] = {};
  if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) return 2;
  bin_dir = self;
  bin_dir.resize(bin_dir.rfind('/'));
  // Multicast on NETLINK_USERSOCK needs CAP_NET_ADMIN: try it.
  const int probe = open_producer_socket();
  size_t seq_at = 0;
  if (probe < 0 || !multicast(probe, sample_message(&seq_at))) {
    std::printf("SKIP: multicast on NETLINK_USERSOCK refused (%s): run as root\n", std::strerror(errno));
    return 77;
  }
  close(probe);
  std::system((std::string("mkdir -p ") + work_dir).c_str());
  signal(SIGPIPE, SIG_IGN);

  std::string model;
  {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (model.empty() && std::getline(cpuinfo, line))
      if (line.compare(0, 10, "model name") == 0) model = line.substr(line.find(':') + 2);
  }
  std::ifstream release("/proc/sys/kernel/osrelease");
  std::string kernel;
  release >> kernel;
  std::printf("# native: %d CPUs (%s), kernel %s; producer on CPU 0, %s\n", cpu_count(), model.c_str(), kernel.c_str(),
              cpu_count() > 3 ? "each receiver on a CPU of its own" : "the receivers share the last CPU");
  print_wakeup_costs();
  std::printf("# per run: mode rate buffer rep receiver sent received drops loss%% cpu_ns/msg\n");

  bool accounting_ok = true;
  struct Row {
    std::vector<Reading> runs;
    std::vector<double> ratio;
  };
  std::map<std::string, Row> rows;  // key: mode|rate|buffer|receiver
  std::vector<std::string> order;
  for (const std::string& buffer : buffers) {
    const std::vector<ReceiverKind> kinds = all_kinds(buffer_bytes(buffer));
    std::vector<const ReceiverKind*> chosen;
    for (const auto& k : kinds)
      if (names.empty() || std::find(names.begin(), names.end(), k.name) != names.end()) chosen.push_back(&k);
    if (chosen.empty() || chosen[0]->name != "reference") {
      std::fprintf(stderr, "native-bench: the reference receiver must be among the receivers\n");
      return 2;
    }
    for (const std::string& mode : modes) {
      for (const std::string& rate_name : rates) {
        const unsigned rate = rate_name == "max" ? 0 : unsigned(std::atoi(rate_name.c_str()));
        for (int rep = 0; rep < reps; ++rep) {
          std::vector<Reading> readings;
          if (mode == "race") {
            readings = run_once(chosen, rate, seconds);
          } else {
            for (const ReceiverKind* k : chosen) readings.push_back(run_once({k}, rate, seconds)[0]);
          }
          const double reference = ns_per_message(readings[0]);
          for (const Reading& r : readings) {
            std::printf("run %s %s %s %d %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %.3f %.0f\n", mode.c_str(),
                        rate_name.c_str(), buffer.c_str(), rep, r.name.c_str(), r.sent, r.received, r.drops,
                        loss_percent(r), ns_per_message(r));
            if (!r.ok || r.received + r.drops != r.sent) {
              accounting_ok = false;
              std::printf("ACCOUNTING %s: received %" PRIu64 " + drops %" PRIu64 " != sent %" PRIu64 "\n",
                          r.name.c_str(), r.received, r.drops, r.sent);
            }
            const std::string key = mode + "|" + rate_name + "|" + buffer + "|" + r.name;
            if (!rows.count(key)) order.push_back(key);
            rows[key].runs.push_back(r);
            rows[key].ratio.push_back(reference > 0 ? ns_per_message(r) / reference : 0);
          }
          std::fflush(stdout);
        }
      }
    }
  }
  std::printf(
      "\n| mode | rate/s | buffer | receiver | sent | received | kernel drops | loss %% | CPU ns/msg | x "
      "reference |\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const std::string& key : order) {
    const Row& row = rows[key];
    uint64_t sent = 0, received = 0, drops = 0;
    std::vector<double> loss, cpu;
    for (const Reading& r : row.runs) {
      sent += r.sent, received += r.received, drops += r.drops;
      loss.push_back(loss_percent(r));
      cpu.push_back(ns_per_message(r));
    }
    std::istringstream parts(key);
    std::string mode, rate, buffer, name;
    std::getline(parts, mode, '|'), std::getline(parts, rate, '|'), std::getline(parts, buffer, '|'),
        std::getline(parts, name, '|');
    std::printf("| %s | %s | %s | %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %.3f | %.0f | %.2f |\n", mode.c_str(),
                rate.c_str(), buffer.c_str(), name.c_str(), sent, received, drops, median(loss), median(cpu),
                median(row.ratio));
  }
  std::printf("(sums over %d runs of %.1f s; loss, CPU and ratio are medians)\n", reps, seconds);
  // Per cell: the coalescing Receiver against coalesce 0, run by run (the
  // same repetition: in a race the same stream). Loss at a saturated CPU
  // moves by a third from run to run, so the verdict weighs the paired
  // differences: "no more" when the Receiver lost no more in all, "MORE" when
  // the mean difference is above twice its standard error (more than the
  // runs' own spread explains), else "within noise" with the figures.
  for (const std::string& key : order) {
    if (key.size() < 9 || key.compare(key.size() - 9, 9, "|receiver") != 0) continue;
    const std::string plain = key + "-c0";
    if (!rows.count(plain)) continue;
    const std::vector<Reading>&coalescing = rows[key].runs, &without = rows[plain].runs;
    const size_t n = std::min(coalescing.size(), without.size());
    uint64_t lost = 0, lost_plain = 0;
    size_t more_runs = 0;
    std::vector<double> difference;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t a = coalescing[i].sent - std::min(coalescing[i].sent, coalescing[i].received);
      const uint64_t b = without[i].sent - std::min(without[i].sent, without[i].received);
      lost += a, lost_plain += b, more_runs += a > b;
      difference.push_back(double(a) - double(b));
    }
    double mean = 0, variance = 0;
    for (double d : difference) mean += d / double(n);
    for (double d : difference) variance += (d - mean) * (d - mean) / double(n > 1 ? n - 1 : 1);
    const double standard_error = std::sqrt(variance / double(n));
    std::string cell = key.substr(0, key.size() - 9);
    std::replace(cell.begin(), cell.end(), '|', ' ');
    const char* verdict = lost <= lost_plain ? "no more" : mean > 2 * standard_error ? "MORE" : "within noise";
    std::printf("coalescing %s: receiver lost %" PRIu64 ", receiver-c0 lost %" PRIu64
                " (more in %zu of %zu runs; per run %+.0f +- %.0f): %s\n",
                cell.c_str(), lost, lost_plain, more_runs, n, mean, standard_error, verdict);
  }
  if (check) {
    std::printf(accounting_ok ? "accounting ok: received + kernel drops = sent for every receiver and run\n"
                              : "accounting FAILED (see ACCOUNTING lines)\n");
    return accounting_ok ? 0 : 1;
  }
  return 0;
}
