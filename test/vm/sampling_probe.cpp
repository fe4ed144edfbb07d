// sampling-probe COMMAND...: psample-cpp-sampling's SamplingRules driven from
// the in-VM tests (sampling-tests.sh), one object for all the commands, so
// what it remembers (the clsact qdiscs it created) lasts from one to the next.
// Each COMMAND is one argument:
//   "add IFACE ingress|egress [rate=N] [group=N] [trunc=N] [prio=N] [skip_sw] [skip_hw]"
// (IFACE a name, looked up by the library in its namespace, or an index)
//   "list IFACE ingress|egress"      every sampling rule on the hook, ours or not
//   "remove IFACE ingress|egress"    ours only
//   "sleep SECONDS"
//   "setuid UID"                     from here on as that user (no CAP_NET_ADMIN)
//   "in NETNS"                       from here on, SamplingRules and a Receiver opened in that
//                                    network namespace with psample::in_netns (the thread stays
//                                    in its own: "netns home=INODE stayed=0|1" says so)
//   "receive GROUP COUNT SECONDS"    COUNT samples of GROUP through the Receiver, or fewer
//                                    when SECONDS pass: "received N group G in_ifindex I len L/O"
//                                    (the last sample's DATA and original lengths)
// (the clsact qdiscs it creates are remembered in $SAMPLING_STATE_DIR, if set)
// and prints one line per rule or result; "error: MESSAGE | kernel: TEXT" for
// a failed one. Exit status 0 when every command worked, 1 otherwise.
#include <net/if.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include <sys/stat.h>

#include <chrono>
#include <optional>

#include "psample/netns.hpp"
#include "psample/receiver.hpp"
#include "psample/sampling/sampling_rules.hpp"

namespace {

using psample::sampling::Direction;
using psample::sampling::InstalledRule;

void print_rule(const char* what, const InstalledRule& r) {
  std::printf("%s ifindex=%u %s prio=%u handle=%u rate=%u group=%u trunc=%u skip_sw=%d skip_hw=%d in_hw=%d ours=%d",
              what, unsigned(r.rule.ifindex), r.rule.direction == Direction::ingress ? "ingress" : "egress",
              unsigned(r.priority), unsigned(r.handle), unsigned(r.rule.rate), unsigned(r.rule.group),
              unsigned(r.rule.trunc), int(r.rule.skip_sw), int(r.rule.skip_hw), int(r.in_hardware), int(r.ours));
  if (r.ours) std::printf(" instance=%" PRIu64, r.instance);
  std::printf(" cookie=");
  for (unsigned i = 0; i < r.cookie_length; ++i) std::printf("%02x", r.cookie[i]);
  std::printf("\n");
}

ino_t thread_netns() {
  struct stat s {};
  return stat("/proc/thread-self/ns/net", &s) == 0 ? s.st_ino : 0;
}

void print_error(const psample::Error& e) { std::printf("error: %s | kernel: %s\n", e.message(), e.kernel_message()); }

}  // namespace

int main(int argc, char** argv) {
  psample::sampling::SamplingOptions options;
  options.state_directory = std::getenv("SAMPLING_STATE_DIR");
  auto opened = psample::sampling::SamplingRules::open(options);
  if (!opened) {
    print_error(opened.error());
    return 1;
  }
  std::optional<psample::sampling::SamplingRules> rules_storage(std::move(*opened));
  std::string netns;  // "": this thread's own
  std::optional<psample::Receiver> receiver;
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    std::istringstream words(argv[i]);
    psample::sampling::SamplingRules& rules = *rules_storage;
    std::string command, interface, direction;
    words >> command;
    if (command == "sleep") {
      double seconds = 0;
      words >> seconds;
      usleep(useconds_t(seconds * 1e6));
      continue;
    }
    if (command == "in") {
      words >> netns;
      const ino_t home = thread_netns();
      auto moved = psample::in_netns(netns.c_str(), [&] { return psample::sampling::SamplingRules::open(options); });
      auto listening = psample::in_netns(netns.c_str(), [] { return psample::Receiver::open(); });
      std::printf("netns home=%lu stayed=%d\n", static_cast<unsigned long>(home), int(thread_netns() == home));
      if (!moved || !listening) {
        print_error(!moved ? moved.error() : listening.error());
        return 1;
      }
      rules_storage.emplace(std::move(*moved));
      receiver.emplace(std::move(*listening));
      continue;
    }
    if (command == "receive") {
      unsigned group = 0, count = 0;
      double seconds = 0;
      words >> group >> count >> seconds;
      if (!receiver) {
        auto listening = psample::Receiver::open();
        if (!listening) {
          print_error(listening.error());
          return 1;
        }
        receiver.emplace(std::move(*listening));
      }
      unsigned got = 0;
      uint32_t in_ifindex = 0, orig_size = 0;
      size_t length = 0;
      const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
      while (got < count && std::chrono::steady_clock::now() < end) {
        auto received = receiver->receive(
            [&](const psample::PacketView& p) {
              if (p.group() != group) return;
              ++got;
              in_ifindex = p.in_ifindex();
              length = p.data().size();
              orig_size = p.orig_size();
            },
            std::chrono::milliseconds(100));
        if (!received) print_error(received.error()), status = 1;
      }
      std::printf("received %u group %u in_ifindex %u len %zu/%u\n", got, group, unsigned(in_ifindex), length,
                  unsigned(orig_size));
      std::fflush(stdout);
      continue;
    }
    if (command == "setuid") {
      unsigned uid = 0;
      words >> uid;
      if (setgid(gid_t(uid)) != 0 || setuid(uid_t(uid)) != 0) std::printf("error: setuid %u failed\n", uid), status = 1;
      continue;
    }
    words >> interface >> direction;
    psample::sampling::Rule rule;
    // A number is an index; a name is looked up by the library, in the
    // rule manager's namespace (add() by Rule::interface, the others by ifindex_of).
    if (!interface.empty() && interface.find_first_not_of("0123456789") == std::string::npos) {
      rule.ifindex = uint32_t(std::strtoul(interface.c_str(), nullptr, 10));
    } else if (command == "add") {
      std::snprintf(rule.interface, sizeof rule.interface, "%s", interface.c_str());
    } else {
      auto index = rules.ifindex_of(interface.c_str());
      if (!index) {
        print_error(index.error());
        status = 1;
        continue;
      }
      rule.ifindex = *index;
    }
    rule.direction = direction == "egress" ? Direction::egress : Direction::ingress;
    std::string word;
    while (words >> word) {
      const size_t eq = word.find('=');
      const uint32_t value = eq == std::string::npos ? 0 : uint32_t(std::strtoul(word.c_str() + eq + 1, nullptr, 0));
      const std::string key = word.substr(0, eq);
      if (key == "rate") rule.rate = value;
      if (key == "group") rule.group = value;
      if (key == "trunc") rule.trunc = value;
      if (key == "prio") rule.priority = uint16_t(value);
      if (key == "skip_sw") rule.skip_sw = true;
      if (key == "skip_hw") rule.skip_hw = true;
    }
    if (command == "add") {
      auto added = rules.add(rule);
      if (added)
        print_rule("added", *added);
      else
        print_error(added.error()), status = 1;
    } else if (command == "list") {
      auto listed = rules.list(rule.ifindex, rule.direction, [](const InstalledRule& r) { print_rule("rule", r); });
      if (listed)
        std::printf("listed %zu\n", *listed);
      else
        print_error(listed.error()), status = 1;
    } else if (command == "remove") {
      auto removed = rules.remove(rule.ifindex, rule.direction);
      if (removed)
        std::printf("removed %zu\n", *removed);
      else
        print_error(removed.error()), status = 1;
    } else {
      std::printf("error: unknown command '%s'\n", command.c_str());
      status = 1;
    }
    std::fflush(stdout);
  }
  return status;
}
