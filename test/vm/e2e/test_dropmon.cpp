// The drop monitor end to end: drops made on purpose in a real kernel with
// known causes, received through DropMonitor, every field compared with what
// was sent; two monitors at once (owner and passive, a second owner); a
// storm in which every drop is accounted for; the namespace error.
#include <catch2/catch.hpp>

#include <pthread.h>
#include <sched.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>

#include "guest.hpp"
#include "psample/dropmon/drop.hpp"
#include "psample/dropmon/drop_monitor.hpp"

using namespace psample;
using namespace psample::dropmon;
using guest::sh;

namespace {

std::vector<uint8_t> bytes(ByteView v) { return std::vector<uint8_t>(v.begin(), v.end()); }

DropMonitor open_monitor(const DropMonitorOptions& options) {
  auto m = DropMonitor::open(options);
  INFO("DropMonitor::open: " << (m ? "" : m.error().message()));
  REQUIRE(m);
  return std::move(*m);
}

DropMonitorOptions owner_options(uint32_t trunc_len = 0) {
  DropMonitorOptions o;
  o.start_software = true;
  o.alert_mode = AlertMode::packet;
  o.trunc_len = trunc_len;
  return o;
}

bool monitoring(const DropMonitor& m) {
  auto state = m.state();
  INFO("state(): " << (state ? "" : state.error().message()));
  REQUIRE(state);
  REQUIRE(state->monitoring.has_value());
  return *state->monitoring;
}

// Receives until `quiet` passes without a drop; keeps the drops that came in
// on `ifindex` (anything else the kernel dropped meanwhile is not ours).
std::vector<Drop> collect_drops(DropMonitor& m, uint32_t ifindex,
                                std::chrono::milliseconds quiet = std::chrono::milliseconds(1500)) {
  std::vector<Drop> got;
  auto last = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - last < quiet) {
    auto n = m.receive(
        [&](const DropView& d) {
          if (d.has_in_ifindex() && d.in_ifindex() == ifindex) got.emplace_back(d);
        },
        std::chrono::milliseconds(100));
    INFO("receive: " << (n ? "" : n.error().message()));
    REQUIRE(n);
    if (*n > 0) last = std::chrono::steady_clock::now();
  }
  return got;
}

// A veth pair whose far end (dm1) owns 192.0.2.2 and the frames' destination
// MAC, so what is sent on dm0 is received by dm1's IPv4 stack.
struct DropLink {
  DropLink() : veth("dm0", "dm1") {
    sh("ip link set dm1 down && ip link set dm1 address 02:00:00:00:00:02 && ip link set dm1 up");
    sh("ip addr add 192.0.2.2/24 dev dm1");
    ifindex = guest::ifindex("dm1");
  }
  guest::VethPair veth;
  uint32_t ifindex = 0;
};

// What differs between a drop and the frame that caused it (the frame's own
// bytes as the drop monitor reports them: from the MAC header, cut to
// `trunc_len`), field by field; empty when all agree.
struct Expected {
  const std::vector<uint8_t>& sent;
  uint32_t ifindex;
  size_t trunc_len;
  uint64_t sent_after_ns, received_before_ns;
};
std::vector<std::string> mismatches(const DropView& d, const Expected& e) {
  std::vector<std::string> wrong;
  auto expect = [&](bool good, const char* field) {
    if (!good) wrong.push_back(field);
  };
  expect(d.origin() == Origin::software, "origin");
  expect(d.has(dropmon::attr::pc) && d.pc() != 0, "pc");
  expect(!d.symbol().empty(), "symbol");
  expect(d.has_in_ifindex() && d.in_ifindex() == e.ifindex, "in_ifindex");
  expect(d.proto() == uint16_t(e.sent[12] << 8 | e.sent[13]), "proto");
  expect(d.orig_len() == e.sent.size(), "orig_len");
  const size_t length = e.trunc_len == 0 ? e.sent.size() : std::min(e.trunc_len, e.sent.size());
  expect(bytes(d.payload()) == std::vector<uint8_t>(e.sent.begin(), e.sent.begin() + long(length)), "payload");
  expect(d.has(dropmon::attr::timestamp) && d.timestamp_ns() >= e.sent_after_ns &&
             d.timestamp_ns() <= e.received_before_ns,
         "timestamp");
  return wrong;
}

// Sends `frame` on dm0 and returns the one drop it caused on dm1.
Drop drop_of(DropMonitor& m, const DropLink& link, const std::vector<uint8_t>& frame, size_t trunc_len) {
  const uint64_t before = guest::realtime_ns();
  guest::send_frames("dm0", {frame});
  auto drops = collect_drops(m, link.ifindex);
  const uint64_t after = guest::realtime_ns();
  REQUIRE(drops.size() == 1);
  INFO("reason " << drops[0]->reason() << ", symbol " << drops[0]->symbol());
  const Expected expected{frame, link.ifindex, trunc_len, before, after};
  CHECK(mismatches(drops[0].view(), expected).empty());
  // Negative control: the same comparison finds a wrong byte, a wrong port
  // and a wrong length.
  std::vector<uint8_t> other = frame;
  other[14] ^= 1;  // the first byte after the Ethernet header: inside any truncation
  CHECK(mismatches(drops[0].view(), Expected{other, link.ifindex, trunc_len, before, after}) ==
        std::vector<std::string>{"payload"});
  CHECK(mismatches(drops[0].view(), Expected{frame, link.ifindex + 1, trunc_len, before, after}) ==
        std::vector<std::string>{"in_ifindex"});
  other = frame;
  other.push_back(0);
  const auto longer = mismatches(drops[0].view(), Expected{other, link.ifindex, trunc_len, before, after});
  CHECK(std::find(longer.begin(), longer.end(), "orig_len") != longer.end());
  return drops[0];
}

// Sends `frames` on dm0 from CPU 0 at real-time priority: the drop monitor's
// worker on that CPU (a normal kworker) cannot run until the burst is done,
// so its per-CPU queue overflows as under a real storm.
void send_burst(const std::vector<std::vector<uint8_t>>& frames) {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  CPU_SET(0, &cpus);
  REQUIRE(sched_setaffinity(0, sizeof cpus, &cpus) == 0);
  sched_param fifo{};
  fifo.sched_priority = 50;
  REQUIRE(sched_setscheduler(0, SCHED_FIFO, &fifo) == 0);
  guest::send_frames("dm0", frames);
  sched_param normal{};
  REQUIRE(sched_setscheduler(0, SCHED_OTHER, &normal) == 0);
  CPU_ZERO(&cpus);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) CPU_SET(cpu, &cpus);
  (void)sched_setaffinity(0, sizeof cpus, &cpus);
}

std::vector<uint8_t> with_bad_ip_checksum(std::vector<uint8_t> frame) {
  frame[14 + 10] ^= 0x5a;
  return frame;
}

}  // namespace

TEST_CASE("software drops with known causes: reason, port, protocol, payload, length", "[dropmon]") {
  DropLink link;
  DropMonitor m = open_monitor(owner_options());
  INFO("start note: " << m.start_note());
  REQUIRE(m.started_software());
  const size_t trunc = 0;

  SECTION("UDP to a closed port") {
    const Drop d = drop_of(m, link, guest::ipv4_udp(9, 40), trunc);
    CHECK(d->reason() == "NO_SOCKET");
  }
  SECTION("a bad IPv4 header checksum") {
    const Drop d = drop_of(m, link, with_bad_ip_checksum(guest::ipv4_udp(9, 40)), trunc);
    CHECK(d->reason() == "IP_CSUM");
  }
  SECTION("an ethertype nothing handles") {
    const Drop d = drop_of(m, link, guest::frame(80, 0x88b5, 3), trunc);
    CHECK(d->reason() == "UNHANDLED_PROTO");
  }
  SECTION("a tc drop action") {
    sh("tc qdisc add dev dm1 clsact && tc filter add dev dm1 ingress matchall action drop");
    const Drop d = drop_of(m, link, guest::ipv4_udp(7, 40), trunc);
    CHECK(d->reason() == "TC_INGRESS");
  }
  CHECK(m.stats().malformed == 0);
}

TEST_CASE("truncation: the payload is cut to trunc_len, orig_len is the whole frame", "[dropmon]") {
  DropLink link;
  DropMonitor m = open_monitor(owner_options(64));
  REQUIRE(m.started_software());
  auto state = m.state();
  REQUIRE(state);
  CHECK(state->config.trunc_len == 64);
  CHECK(state->config.alert_mode == AlertMode::packet);
  const Drop d = drop_of(m, link, guest::ipv4_udp(9, 300), 64);
  CHECK(d->orig_len() == 14 + 20 + 8 + 300);
}

TEST_CASE("owner and passive monitors: the passive one changes nothing, owners stop only what they started",
          "[dropmon]") {
  DropLink link;
  DropMonitor passive = open_monitor(DropMonitorOptions{});
  CHECK_FALSE(passive.started_software());
  CHECK_FALSE(monitoring(passive));  // nobody has started it: the passive monitor did not

  {
    DropMonitor owner = open_monitor(owner_options());
    REQUIRE(owner.started_software());
    CHECK(std::string(owner.start_note()).empty());
    CHECK(monitoring(passive));

    // Both hear the same drop.
    const auto frame = guest::ipv4_udp(9, 20);
    guest::send_frames("dm0", {frame});
    CHECK(collect_drops(owner, link.ifindex).size() == 1);
    CHECK(collect_drops(passive, link.ifindex).size() == 1);

    {
      // A second owner finds it running: listens, takes nothing over, and on
      // close leaves it running.
      DropMonitor second = open_monitor(owner_options(32));
      CHECK_FALSE(second.started_software());
      CHECK(std::string(second.start_note()).find("another program") != std::string::npos);
      auto state = second.state();
      REQUIRE(state);
      CHECK(state->config.trunc_len == 0);  // the first owner's settings were kept
    }
    CHECK(monitoring(passive));
    {
      DropMonitor another_passive = open_monitor(DropMonitorOptions{});
      REQUIRE(another_passive.stop());  // stops nothing: it started nothing
    }
    CHECK(monitoring(passive));
  }
  // The owner's close stopped what it started.
  CHECK_FALSE(monitoring(passive));
  guest::send_frames("dm0", {guest::ipv4_udp(9, 20)});
  CHECK(collect_drops(passive, link.ifindex, std::chrono::milliseconds(800)).empty());
}

TEST_CASE("a drop storm: delivered + rate-limited + queue drops + socket drops = drops made", "[dropmon]") {
  DropLink link;
  DropMonitorOptions o = owner_options(64);
  o.queue_len = 32;  // a small kernel queue, so that it overflows
  SECTION("no rate limit") {}
  SECTION("a rate limit of 20 per second") { o.rate_limit = 20; }
  DropMonitor m = open_monitor(o);
  REQUIRE(m.started_software());
  auto state = m.state();
  REQUIRE(state);
  CHECK(state->config.queue_len == 32);

  constexpr size_t made = 3000;
  std::vector<std::vector<uint8_t>> frames(made, guest::ipv4_udp(9, 20));
  send_burst(frames);
  size_t ours = 0;
  size_t others = 0;
  auto last = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - last < std::chrono::milliseconds(1500)) {
    auto n = m.receive([&](const DropView& d) { ++(d.in_ifindex() == link.ifindex ? ours : others); },
                       std::chrono::milliseconds(100));
    REQUIRE(n);
    if (*n > 0) last = std::chrono::steady_clock::now();
  }
  const DropMonitorStats s = m.stats();
  REQUIRE(s.queue_drops.has_value());
  REQUIRE(s.kernel_drops.has_value());
  INFO("ours " << ours << ", others " << others << ", rate-limited " << s.rate_limited << ", queue drops "
               << *s.queue_drops << ", socket drops " << *s.kernel_drops << ", overruns " << s.overruns);
  std::printf(
      "drop storm (rate limit %u/s): made %zu = delivered %zu + rate-limited %llu + queue drops %llu + "
      "socket drops %llu\n",
      o.rate_limit, made, ours + others, (unsigned long long)s.rate_limited, (unsigned long long)*s.queue_drops,
      (unsigned long long)*s.kernel_drops);
  CHECK(others == 0);  // the guest is quiet: every drop is one we made
  CHECK(ours + s.rate_limited + *s.queue_drops + *s.kernel_drops == made);
  // Negative control: leave the kernel queue's drops out and it does not add up.
  CHECK(ours + s.rate_limited + *s.kernel_drops != made);
  CHECK(s.drops == ours + others);
  CHECK(*s.queue_drops > 0);  // the storm did overflow the kernel queue
  if (o.rate_limit != 0) {
    CHECK(s.rate_limited > 0);
    CHECK(ours <= 2 * size_t(o.rate_limit));  // the storm spans at most two seconds of drop time
  }
}

TEST_CASE("outside the initial network namespace, the error says so", "[dropmon]") {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(pipe_fds[0]);
    std::string message = "unshare failed";
    if (unshare(CLONE_NEWNET) == 0) {
      auto m = DropMonitor::open(DropMonitorOptions{});
      message = m ? "opened" : m.error().message();
    }
    (void)!write(pipe_fds[1], message.data(), message.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) message.append(buffer, size_t(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  INFO(message);
  CHECK(message.find("initial network namespace") != std::string::npos);
  CHECK(message.find("nsenter -t 1 -n") != std::string::npos);
}

namespace {
std::string hex(const std::vector<uint8_t>& bytes) {
  std::ostringstream out;
  for (uint8_t b : bytes) out << std::hex << std::setw(2) << std::setfill('0') << int(b);
  return out.str();
}
}  // namespace

// Records a golden capture (hidden: run by test/vm/record-captures.sh with
// tcpdump on an nlmon device): drops of four known causes in packet mode,
// then three in summary mode. /out/expected.txt says what was sent, from
// the frames themselves, not from decoding.
TEST_CASE("record a golden drop monitor capture", "[.capture-dropmon]") {
  std::ofstream expected("/out/expected.txt");
  expected << "# Written by test/vm/record-captures.sh inside the test VM, from what the scenario\n"
              "# sent (not from decoding). See test/data/README.md.\n";
  utsname name;
  uname(&name);
  expected << "kernel release=" << name.release << "\n";
  DropLink link;
  {
    DropMonitor m = open_monitor(owner_options());
    REQUIRE(m.started_software());
    const struct {
      const char* reason;
      std::vector<uint8_t> frame;
      const char* setup;
    } cases[] = {{"NO_SOCKET", guest::ipv4_udp(9, 40), nullptr},
                 {"IP_CSUM", with_bad_ip_checksum(guest::ipv4_udp(9, 60)), nullptr},
                 {"UNHANDLED_PROTO", guest::frame(80, 0x88b5, 3), nullptr},
                 {"TC_INGRESS", guest::ipv4_udp(7, 100),
                  "tc qdisc add dev dm1 clsact && tc filter add dev dm1 ingress matchall action drop"}};
    for (const auto& c : cases) {
      if (c.setup != nullptr) sh(c.setup);
      const uint64_t before = guest::realtime_ns();
      guest::send_frames("dm0", {c.frame});
      REQUIRE(collect_drops(m, link.ifindex, std::chrono::milliseconds(800)).size() == 1);
      const uint64_t after = guest::realtime_ns();
      expected << "drop reason=" << c.reason << " iif=" << link.ifindex << " proto=0x" << std::hex << std::setw(4)
               << std::setfill('0') << (c.frame[12] << 8 | c.frame[13]) << std::dec << " orig_len=" << c.frame.size()
               << " time_min=" << before << " time_max=" << after << " frame=" << hex(c.frame) << "\n";
    }
    sh("tc qdisc del dev dm1 clsact");
  }
  {
    DropMonitorOptions o;
    o.start_software = true;
    o.alert_mode = AlertMode::summary;
    DropMonitor m = open_monitor(o);
    REQUIRE(m.started_software());
    guest::send_frames("dm0", {guest::ipv4_udp(9, 10), guest::ipv4_udp(9, 10), guest::ipv4_udp(9, 10)});
    uint64_t total = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (total < 3 && std::chrono::steady_clock::now() < deadline) {
      auto n = m.receive([](const DropView&) {}, [&](const SummaryView& s) { total += s.total(); },
                         std::chrono::milliseconds(200));
      REQUIRE(n);
    }
    REQUIRE(total == 3);
    expected << "summary total=3\n";
  }
}
