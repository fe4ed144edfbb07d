// psample-dump: tcpdump for psample. Live capture, offline decoding of
// netlink captures, text/JSON/libpsample output and pcapng writing. It uses
// only psample-cpp's public API.
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "capture_replay.hpp"
#include "coarse_clock.hpp"
#include "exit_status.hpp"
#include "flush_policy.hpp"
#include "interface_names.hpp"
#include "netns.hpp"
#include "options.hpp"
#include "output.hpp"
#include "psample/psample.hpp"
#include "receiver_summary.hpp"
#include "stop_signal.hpp"

namespace {

using namespace tools;  // exit statuses

const char tool[] = "psample-dump";
constexpr std::chrono::milliseconds flush_interval(20);

// The summary: key=value pairs, one line, then one line per group.
void print_summary(const psample::Receiver& receiver, double seconds) {
  const psample::ReceiverStats s = receiver.stats();
  std::fprintf(stderr, "%s: samples=%" PRIu64 " bytes=%" PRIu64 " samples_per_s=%.1f seconds=%.3f %s\n", tool,
               s.samples, s.bytes, seconds > 0 ? double(s.samples) / seconds : 0.0, seconds,
               receiver_figures(s).c_str());
  print_group_lines(stderr, tool, receiver);
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
    lines_ = dump::make_output(options_.format, text_out, options_.verbose, names_);
    if (options_.write_file.empty()) return true;
    FILE* out = stdout;
    if (options_.write_file != "-") {
      file_.reset(std::fopen(options_.write_file.c_str(), "wb"));
      out = file_.get();
    }
    if (out == nullptr) {
      std::fprintf(stderr, "%s: cannot write %s: %s\n", tool, options_.write_file.c_str(), std::strerror(errno));
      return false;
    }
    packets_ = dump::make_pcapng_output(out, names_);
    return true;
  }
  bool done() const { return options_.count != 0 && shown_ >= options_.count; }

  void sample(const psample::PacketView& p, uint64_t time_ns) {
    if (done() || !wanted(p.group())) return;
    ++shown_;
    if (packets_)
      packets_->sample(p, time_ns);
    else if (!options_.stats_only && options_.show_samples)
      lines_->sample(p, time_ns);
  }
  void group_event(const psample::GroupInfo& g) {
    if (!options_.stats_only && wanted(g.group)) lines_->group_event(g);
  }
  void flush() {
    lines_->flush();
    if (packets_) packets_->flush();
  }
  // Flushes everything; false (after saying so) when writing failed.
  bool finish() {
    flush();
    std::fflush(stdout);
    if (packets_ && packets_->failed()) {
      std::fprintf(stderr, "%s: writing %s failed\n", tool, options_.write_file.c_str());
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
  std::unique_ptr<dump::Output> lines_;    // -F: samples unless -w, and group events
  std::unique_ptr<dump::Output> packets_;  // -w: samples as pcapng
  uint64_t shown_ = 0;
};

int list(const dump::Options& options) {
  std::vector<psample::GroupInfo> groups(64);
  for (;;) {  // until the array holds every group
    auto count = psample::list_groups(groups.data(), groups.size());
    if (!count) return report(tool, count.error());
    const bool complete = *count <= groups.size();
    groups.resize(*count);
    if (complete) break;
  }
  dump::InterfaceNames names(false);
  dump::make_output(options.format, stdout, false, names)->group_table(groups);
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
  if (!opened) return report(tool, opened.error());
  psample::Receiver& receiver = *opened;

  dump::InterfaceNames names(!options.numeric);
  Sink sink(options, names);
  if (!sink.open()) return exit_runtime;

  catch_stop_signals();
  const auto start = std::chrono::steady_clock::now();
  auto next_stats = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(options.stats_interval));
  auto on_sample = [&](const psample::PacketView& p) {
    // Kernels since 5.13 send TIMESTAMP; only older ones need a clock read per sample.
    sink.sample(p, p.has_timestamp() ? p.timestamp() : realtime_ns());
  };
  auto on_group = [&](const psample::GroupInfo& g) { sink.group_event(g); };
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  int status = exit_ok;
  FlushPolicy flushing(flush_interval);
  while (!stop_requested && !sink.done()) {
    auto wait = flushing.wait(std::chrono::milliseconds(500));
    if (options.stats_interval > 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_stats - std::chrono::steady_clock::now());
      if (left < wait) wait = left < std::chrono::milliseconds(0) ? std::chrono::milliseconds(0) : left;
    }
    auto received = receiver.receive(on_sample, on_group, wait);
    if (!received && received.error().code() != psample::ErrorCode::interrupted) {
      status = report(tool, received.error());
      break;
    }
    if (flushing.after_receive(received ? *received : 0)) sink.flush();
    if (options.stats_interval > 0 && std::chrono::steady_clock::now() >= next_stats) {
      print_summary(receiver, seconds());
      next_stats += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(options.stats_interval));
    }
  }
  if (!sink.finish()) status = exit_runtime;
  if (options.summary) print_summary(receiver, seconds());
  return status;
}

int offline(const dump::Options& options) {
  CaptureReplay replay;
  if (ExitStatus opened = replay.open(tool, options.read_file, options.family_id); opened != exit_ok) return opened;
  psample::ReceiverOptions receiver_options;
  receiver_options.accept_userspace = true;  // a capture does not tell senders apart
  receiver_options.config_events = true;     // group events in a capture are part of what it shows
  auto detached = psample::Receiver::detached(replay.family_id(), receiver_options);
  if (!detached) return report(tool, detached.error());
  psample::Receiver& receiver = *detached;
  dump::InterfaceNames names(false);  // the capturing host's interfaces are not ours
  Sink sink(options, names);
  if (!sink.open()) return exit_runtime;
  uint64_t time_ns = 0;
  auto on_sample = [&](const psample::PacketView& p) { sink.sample(p, time_ns); };
  auto on_group = [&](const psample::GroupInfo& g) { sink.group_event(g); };
  const ExitStatus replayed = replay.run([&](psample::ByteView datagram, uint64_t capture_time_ns) {
    time_ns = capture_time_ns;
    receiver.process(datagram, 0, on_sample, on_group);
    return !sink.done();
  });
  const bool written = sink.finish();
  print_summary(receiver, 0);
  return !written ? exit_runtime : replayed;
}

}  // namespace

int main(int argc, char** argv) {
  dump::Options options;
  bool exit_now = false;
  if (!dump::parse_options(argc, argv, options, exit_now)) return tools::exit_usage;
  if (exit_now) return tools::exit_ok;
  // Fully buffered even on a terminal: live capture flushes after each drain
  // of the socket (see live()), so lines still appear as samples arrive.
  std::setvbuf(stdout, nullptr, _IOFBF, 1 << 16);
  if (!options.read_file.empty()) return offline(options);
  if (!options.netns.empty()) {
    std::string error;
    if (!tools::enter_netns(options.netns, error)) {
      std::fprintf(stderr, "psample-dump: %s\n", error.c_str());
      return tools::exit_no_netns;
    }
  }
  if (options.list_groups) return list(options);
  return live(options);
}
