// psample-dump: tcpdump for psample. Live capture, offline decoding of
// netlink captures, text/JSON/libpsample output and pcapng writing. It uses
// only psample-cpp's public API.
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "capture_reader.hpp"
#include "coarse_clock.hpp"
#include "interface_names.hpp"
#include "netns.hpp"
#include "options.hpp"
#include "pcapng_writer.hpp"
#include "psample/psample.hpp"
#include "sample_formatter.hpp"

namespace {

enum Exit {
  exit_ok = 0,
  exit_runtime = 1,
  exit_usage = 2,
  exit_no_psample = 3,
  exit_permission = 4,
  exit_bad_capture = 5,
  exit_no_netns = 6,
};

volatile sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a signal ends the wait in receive()
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

constexpr uint64_t flush_after_ms = 20;

uint64_t now_ns() {
  timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return uint64_t(t.tv_sec) * 1000000000u + uint64_t(t.tv_nsec);
}

int exit_code_for(const psample::Error& error) {
  switch (error.code()) {
    case psample::ErrorCode::family_not_found: return exit_no_psample;
    case psample::ErrorCode::permission_denied: return exit_permission;
    default: return exit_runtime;
  }
}

int report(const psample::Error& error) {
  std::fprintf(stderr, "psample-dump: %s\n", error.message());
  if (*error.kernel_message() != '\0') std::fprintf(stderr, "psample-dump: kernel says: %s\n", error.kernel_message());
  return exit_code_for(error);
}

// The summary: key=value pairs, one line, then one line per group.
void print_summary(const psample::Receiver& receiver, double seconds, bool live) {
  const psample::ReceiverStats s = receiver.stats();
  char drops[32] = "n/a";
  if (s.kernel_drops) std::snprintf(drops, sizeof drops, "%" PRIu64, *s.kernel_drops);
  std::fprintf(stderr,
               "psample-dump: samples=%" PRIu64 " bytes=%" PRIu64 " samples_per_s=%.1f seconds=%.3f lost=%" PRIu64
               " overruns=%" PRIu64 " kernel_drops=%s truncated=%" PRIu64 " malformed=%" PRIu64 " ignored=%" PRIu64
               " group_events=%" PRIu64 " duplicates=%" PRIu64 " resyncs=%" PRIu64 " untracked=%" PRIu64 "%s\n",
               s.samples, s.bytes, seconds > 0 ? double(s.samples) / seconds : 0.0, seconds, s.lost, s.overruns,
               live ? drops : "n/a", s.truncated, s.malformed, s.ignored(), s.group_events, s.duplicates,
               s.sequence_resyncs, s.untracked_samples, s.resubscriptions ? " resubscribed=yes" : "");
  std::vector<psample::GroupCounters> groups(psample::max_tracked_groups);
  groups.resize(receiver.group_counters(groups.data(), groups.size()));
  for (const psample::GroupCounters& g : groups) {
    std::fprintf(stderr,
                 "psample-dump: group=%" PRIu32 " samples=%" PRIu64 " lost=%" PRIu64 " last_seq=%" PRIu32
                 " duplicates=%" PRIu64 " resyncs=%" PRIu64 "\n",
                 g.group, g.samples, g.lost, g.last_seq, g.duplicates, g.resyncs);
  }
}

// Where samples and group events go, live and offline alike: a pcapng
// writer with -w (over a file, or stdout for "-"), else the formatter; -c
// stops after COUNT samples, -g keeps only those groups (live, the kernel's
// socket filter has already dropped the rest), -s prints none.
class Sink {
 public:
  Sink(const dump::Options& options, dump::InterfaceNames& names) : options_(options), names_(names) {}

  bool open() {
    FILE* text_out = options_.write_file == "-" ? stderr : stdout;
    formatter_.reset(new dump::SampleFormatter(options_.format, options_.verbose, names_, text_out));
    if (options_.write_file.empty()) return true;
    FILE* out = stdout;
    if (options_.write_file != "-") {
      file_.reset(std::fopen(options_.write_file.c_str(), "wb"));
      out = file_.get();
    }
    if (out == nullptr) {
      std::fprintf(stderr, "psample-dump: cannot write %s: %s\n", options_.write_file.c_str(), std::strerror(errno));
      return false;
    }
    writer_.reset(new dump::PcapngWriter(out, names_));
    return true;
  }
  bool done() const { return options_.count != 0 && shown_ >= options_.count; }

  void sample(const psample::PacketView& p, uint64_t time_ns) {
    if (done() || !wanted(p.group())) return;
    ++shown_;
    if (writer_)
      writer_->write(p, time_ns);
    else if (!options_.stats_only && options_.show_samples)
      formatter_->sample(p, time_ns);
  }
  void group_event(const psample::GroupInfo& g) {
    if (!options_.stats_only && wanted(g.group)) formatter_->group_event(g);
  }
  void flush() {
    formatter_->flush();
    if (file_) std::fflush(file_.get());
  }
  // Flushes everything; false (after saying so) when writing failed.
  bool finish() {
    flush();
    std::fflush(stdout);
    if (writer_ && writer_->failed()) {
      std::fprintf(stderr, "psample-dump: writing %s failed\n", options_.write_file.c_str());
      return false;
    }
    return true;
  }

 private:
  bool wanted(uint32_t group) const {
    if (options_.groups.empty()) return true;
    for (uint32_t g : options_.groups)
      if (g == group) return true;
    return false;
  }

  const dump::Options& options_;
  dump::InterfaceNames& names_;
  std::unique_ptr<FILE, int (*)(FILE*)> file_{nullptr, std::fclose};
  std::unique_ptr<dump::PcapngWriter> writer_;
  std::unique_ptr<dump::SampleFormatter> formatter_;
  uint64_t shown_ = 0;
};

int list(const dump::Options& options) {
  std::vector<psample::GroupInfo> groups(64);
  for (;;) {  // until the array holds every group
    auto count = psample::list_groups(groups.data(), groups.size());
    if (!count) return report(count.error());
    const bool complete = *count <= groups.size();
    groups.resize(*count);
    if (complete) break;
  }
  dump::InterfaceNames names(false);
  dump::SampleFormatter(options.format, false, names, stdout).group_table(groups);
  return exit_ok;
}

int live(const dump::Options& options) {
  psample::ReceiverOptions receiver_options;
  receiver_options.groups = options.groups;
  if (options.receive_buffer != 0) receiver_options.receive_buffer_bytes = options.receive_buffer;
  receiver_options.no_enobufs = options.no_enobufs;
  receiver_options.accept_userspace = options.accept_userspace;
  receiver_options.config_events = options.config_events;
  auto opened = psample::Receiver::open(receiver_options);
  if (!opened) return report(opened.error());
  psample::Receiver& receiver = *opened;

  dump::InterfaceNames names(!options.numeric);
  Sink sink(options, names);
  if (!sink.open()) return exit_runtime;

  install_signal_handlers();
  const auto start = std::chrono::steady_clock::now();
  auto next_stats = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(options.stats_interval));
  auto on_sample = [&](const psample::PacketView& p) {
    // Kernels since 5.13 send TIMESTAMP; only older ones need a clock read per sample.
    sink.sample(p, p.has_timestamp() ? p.timestamp() : now_ns());
  };
  auto on_group = [&](const psample::GroupInfo& g) { sink.group_event(g); };
  int status = exit_ok;
  // Output is flushed when the stream pauses (a receive that waited
  // flush_after_ms found nothing) and at least every flush_after_ms while it
  // flows: prompt on a terminal or a pipe, and no write() per sample. The
  // clock is the coarse one, which the vDSO serves without a syscall.
  bool pending = false;
  uint64_t last_flush_ms = dump::coarse_ms();
  while (!stop_requested && !sink.done()) {
    auto wait = pending ? std::chrono::milliseconds(flush_after_ms) : std::chrono::milliseconds(500);
    if (options.stats_interval > 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_stats - std::chrono::steady_clock::now());
      if (left < wait) wait = left < std::chrono::milliseconds(0) ? std::chrono::milliseconds(0) : left;
    }
    auto received = receiver.receive(on_sample, on_group, wait);
    if (!received && received.error().code() != psample::ErrorCode::interrupted) {
      status = report(received.error());
      break;
    }
    if (received && *received > 0) pending = true;
    if (pending) {
      const uint64_t now = dump::coarse_ms();
      if ((received && *received == 0) || now - last_flush_ms >= flush_after_ms) {
        sink.flush();
        pending = false;
        last_flush_ms = now;
      }
    }
    if (options.stats_interval > 0 && std::chrono::steady_clock::now() >= next_stats) {
      print_summary(receiver, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), true);
      next_stats += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(options.stats_interval));
    }
  }
  if (!sink.finish()) status = exit_runtime;
  if (options.summary)
    print_summary(receiver, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), true);
  return status;
}

int offline(const dump::Options& options) {
  dump::CaptureReader reader;
  if (!reader.open(options.read_file)) {
    std::fprintf(stderr, "psample-dump: %s\n", reader.error().c_str());
    return exit_bad_capture;
  }
  int family_id = options.family_id;
  if (family_id < 0) family_id = dump::find_psample_family_id(reader);
  if (!reader.error().empty()) {
    std::fprintf(stderr, "psample-dump: %s\n", reader.error().c_str());
    return exit_bad_capture;
  }
  if (family_id < 0) {
    std::fprintf(stderr,
                 "psample-dump: %s holds no GETFAMILY reply for psample, so its family id is unknown: pass "
                 "--family-id ID (on the capturing host, `genl ctrl get name psample` shows it)\n",
                 options.read_file.c_str());
    return exit_bad_capture;
  }

  psample::ReceiverOptions receiver_options;
  receiver_options.accept_userspace = true;  // a capture does not tell senders apart
  receiver_options.config_events = true;     // group events in a capture are part of what it shows
  auto detached = psample::Receiver::detached(uint16_t(family_id), receiver_options);
  if (!detached) return report(detached.error());
  psample::Receiver& receiver = *detached;
  dump::InterfaceNames names(false);  // the capturing host's interfaces are not ours
  Sink sink(options, names);
  if (!sink.open()) return exit_runtime;
  dump::CaptureRecord record;
  auto on_sample = [&](const psample::PacketView& p) { sink.sample(p, record.time_ns); };
  auto on_group = [&](const psample::GroupInfo& g) { sink.group_event(g); };
  int result;
  while ((result = reader.next(record)) == 1 && !sink.done()) {
    const psample::ByteView payload = dump::generic_netlink_payload(record);
    if (!payload.empty()) receiver.process(payload, 0, on_sample, on_group);
  }
  const bool written = sink.finish();
  print_summary(receiver, 0, false);
  if (!written) return exit_runtime;
  if (result < 0) {
    std::fprintf(stderr, "psample-dump: %s\n", reader.error().c_str());
    return exit_bad_capture;
  }
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  dump::Options options;
  bool exit_now = false;
  if (!dump::parse_options(argc, argv, options, exit_now)) return exit_usage;
  if (exit_now) return exit_ok;
  // Fully buffered even on a terminal: live capture flushes after each drain
  // of the socket (see live()), so lines still appear as samples arrive.
  std::setvbuf(stdout, nullptr, _IOFBF, 1 << 16);
  if (!options.read_file.empty()) return offline(options);
  if (!options.netns.empty()) {
    std::string error;
    if (!dump::enter_netns(options.netns, error)) {
      std::fprintf(stderr, "psample-dump: %s\n", error.c_str());
      return exit_no_netns;
    }
  }
  if (options.list_groups) return list(options);
  return live(options);
}
