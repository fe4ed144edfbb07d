// What the two load benchmarks (load_bench.cpp in the VM, native_bench.cpp on
// the host) share: the clock, CPU pinning, reading a receiver's socket row
// in /proc/net/netlink, its CPU time and printed counters, medians and
// comma lists. Written for the benchmarks; not part of the library.
#pragma once

#include <dirent.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

inline uint64_t now_ns() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return uint64_t(t.tv_sec) * 1000000000u + uint64_t(t.tv_nsec);
}

inline void sleep_us(long us) {
  timespec t{us / 1000000, (us % 1000000) * 1000};
  while (nanosleep(&t, &t) != 0) {
  }
}

inline void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

// The process's CPU time so far (/proc/PID/schedstat), in ns.
inline uint64_t cpu_ns(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/schedstat");
  uint64_t ns = 0;
  in >> ns;
  return ns;
}

// The inodes of the process's sockets.
inline std::vector<unsigned long> socket_inodes(pid_t pid) {
  std::vector<unsigned long> inodes;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return inodes;
  while (dirent* e = readdir(d)) {
    char target[64] = {};
    if (readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1) <= 0) continue;
    unsigned long inode = 0;
    if (std::sscanf(target, "socket:[%lu]", &inode) == 1) inodes.push_back(inode);
  }
  closedir(d);
  return inodes;
}

struct NetlinkRow {
  uint64_t rmem = 0, drops = 0;
  bool found = false;
};

// Sums the /proc/net/netlink rows of these socket inodes that are of
// netlink protocol `protocol` (NETLINK_GENERIC, NETLINK_USERSOCK).
inline NetlinkRow netlink_rows(const std::vector<unsigned long>& inodes, int protocol) {
  NetlinkRow sum;
  std::ifstream table("/proc/net/netlink");
  std::string line;
  std::getline(table, line);  // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
  while (std::getline(table, line)) {
    char sk[32];
    int eth = 0, rmem = 0, wmem = 0, dump = 0, locks = 0;
    unsigned pid = 0, groups = 0;
    unsigned long long drops = 0;
    unsigned long inode = 0;
    if (std::sscanf(line.c_str(), "%31s %d %u %x %d %d %d %d %llu %lu", sk, &eth, &pid, &groups, &rmem, &wmem, &dump,
                    &locks, &drops, &inode) != 10 ||
        eth != protocol)
      continue;
    if (std::find(inodes.begin(), inodes.end(), inode) == inodes.end()) continue;
    sum.found = true;
    sum.rmem += uint64_t(rmem);
    sum.drops += drops;
  }
  return sum;
}

// The KEY=NUMBER words a receiver printed into `path`.
inline std::map<std::string, uint64_t> key_values(const std::string& path) {
  std::map<std::string, uint64_t> values;
  std::ifstream in(path);
  std::string word;
  while (in >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) continue;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(word.c_str() + eq + 1, &end, 10);
    if (end != word.c_str() + eq + 1 && *end == '\0') values[word.substr(0, eq)] = v;
  }
  return values;
}

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

inline std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ',')) parts.push_back(part);
  return parts;
}

// The options both benchmarks take: --modes, --rates, --reps, --seconds,
// --receivers (names), --check.
struct RunOptions {
  std::vector<std::string> modes{"race", "solo"}, rates, names;
  int reps = 3;
  double seconds = 2;
  bool check = false;
  // Takes argv[*i] (and its value, advancing *i) when it is one of them.
  bool take(int argc, char** argv, int* i) {
    const std::string a = argv[*i];
    const char* v = *i + 1 < argc ? argv[*i + 1] : "";
    if (a == "--check") return check = true;
    if (a == "--modes")
      modes = split(v);
    else if (a == "--rates")
      rates = split(v);
    else if (a == "--reps")
      reps = std::atoi(v);
    else if (a == "--seconds")
      seconds = std::atof(v);
    else if (a == "--receivers")
      names = split(v);
    else
      return false;
    ++*i;
    return true;
  }
};

}  // namespace bench
