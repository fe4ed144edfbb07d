// psample-dump: tcpdump for psample and the drop monitor. Live capture,
// offline decoding of netlink captures, text/JSON/libpsample output and
// pcapng writing. It uses only psample-cpp's public API.
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture_replay.hpp"
#include "coarse_clock.hpp"
#include "drop_monitor_summary.hpp"
#include "exit_status.hpp"
#include "flush_policy.hpp"
#include "interface_names.hpp"
#include "netns.hpp"
#include "options.hpp"
#include "output.hpp"
#include "psample/dropmon/drop_monitor.hpp"
#include "psample/psample.hpp"
#include "receiver_summary.hpp"
#include "sampling_setup.hpp"
#include "source_metrics.hpp"
#include "stop_signal.hpp"

namespace {

using namespace tools;  // exit statuses
using psample::dropmon::DropMonitor;
using psample::dropmon::DropView;
using psample::dropmon::SummaryView;

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

// --metrics-file: the summary's figures as Prometheus metrics (psample_dump_*).
void write_metrics(const dump::Options& options, std::time_t started, const psample::Receiver* receiver,
                   const DropMonitor* monitor) {
  if (options.metrics_file.empty()) return;
  tools::MetricsText metrics("psample_dump_");
  tools::add_process_metrics(metrics, started);
  if (receiver) tools::add_receiver_metrics(metrics, *receiver);
  if (monitor) tools::add_drop_monitor_metrics(metrics, monitor->stats());
  std::string error;
  if (!tools::write_metrics_file(options.metrics_file, metrics.text(), error))
    std::fprintf(stderr, "%s: %s\n", tool, error.c_str());
}

// The drop monitor's line: what was delivered and every way a drop went
// unreported.
void print_summary(const DropMonitor& monitor, double seconds) {
  const psample::dropmon::DropMonitorStats s = monitor.stats();
  std::fprintf(stderr, "%s: drops=%" PRIu64 " bytes=%" PRIu64 " drops_per_s=%.1f seconds=%.3f %s\n", tool, s.drops,
               s.bytes, seconds > 0 ? double(s.drops) / seconds : 0.0, seconds, drop_monitor_figures(s).c_str());
}

// Where samples, drops and group events go, live and offline alike: a pcapng
// writer with -w (over a file, or stdout for "-"), else the formatter; -c
// stops after COUNT samples and drops, -g keeps only those groups (live, the kernel's
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
  // -c counts drops with samples; -g is for samples only.
  void drop(const DropView& d, uint64_t time_ns) {
    if (done()) return;
    ++shown_;
    if (packets_)
      packets_->drop(d, time_ns);
    else if (!options_.stats_only)
      lines_->drop(d, time_ns);
  }
  void drop_summary(const SummaryView& s, uint64_t time_ns) {
    if (!options_.stats_only) lines_->drop_summary(s, time_ns);
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

psample::Result<DropMonitor> open_drop_monitor(const dump::Options& options) {
  psample::dropmon::DropMonitorOptions o;
  if (options.receive_buffer != 0) o.receive_buffer_bytes = options.receive_buffer;
  o.no_enobufs = options.no_enobufs;
  o.start_software = options.drops_start_software;
  o.start_hardware = options.drops_start_hardware;
  o.trunc_len = options.drops_trunc;
  o.queue_len = options.drops_queue;
  o.rate_limit = options.drops_rate_limit;
  return DropMonitor::open(o);
}

// Says what a listener would otherwise wonder about: someone else's
// settings kept, the drop monitor off, or in summary mode.
void tell_drop_monitor_state(const DropMonitor& monitor) {
  if (monitor.start_note()[0] != '\0') std::fprintf(stderr, "%s: %s\n", tool, monitor.start_note());
  auto state = monitor.state();
  if (!state || !state->monitoring) return;  // cannot tell (no CAP_NET_ADMIN)
  if (!*state->monitoring)
    std::fprintf(stderr,
                 "%s: the drop monitor is off: no drops arrive until a program starts it "
                 "(psample-dump --drops-start, or dropwatch)\n",
                 tool);
  else if (state->config.alert_mode == psample::dropmon::AlertMode::summary)
    std::fprintf(stderr,
                 "%s: the drop monitor runs in summary mode (another program's setting): counts per location "
                 "arrive, not packets\n",
                 tool);
}

// --sample's rules: whole packets, to the first -g group (else 1).
SamplingPlan sampling_plan(const dump::Options& options) {
  SamplingPlan plan;
  plan.specs = options.sample_rules;
  plan.group = options.sample_group();
  return plan;
}

int live(const dump::Options& options, std::time_t started) {
  SamplingSetup sampling;  // --sample's rules, removed on any way out
  std::optional<psample::Receiver> receiver;
  if (options.samples) {
    psample::ReceiverOptions receiver_options;
    receiver_options.groups = options.groups;
    if (options.receive_buffer != 0) receiver_options.receive_buffer_bytes = options.receive_buffer;
    receiver_options.no_enobufs = options.no_enobufs;
    receiver_options.accept_userspace = options.accept_userspace;
    receiver_options.config_events = options.config_events;
    ExitStatus sampling_status = exit_ok;
    auto opened = open_receiver(tool, receiver_options, sampling, sampling_plan(options), sampling_status);
    if (sampling_status != exit_ok) return sampling_status;
    if (!opened) return report(tool, opened.error());
    receiver.emplace(std::move(*opened));
  }
  std::optional<DropMonitor> monitor;
  if (options.drops) {
    auto opened = open_drop_monitor(options);
    if (!opened) return report(tool, opened.error());
    monitor.emplace(std::move(*opened));
    tell_drop_monitor_state(*monitor);
  }

  dump::InterfaceNames names(!options.numeric);
  Sink sink(options, names);
  if (!sink.open()) return exit_runtime;

  catch_stop_signals();
  // --sample: the rules go in once the socket listens (no sample is missed;
  // done already when psample had to be loaded first) and go away before the
  // summary.
  if (ExitStatus applied = sampling.apply(tool, sampling_plan(options)); applied != exit_ok) return applied;
  const auto start = std::chrono::steady_clock::now();
  auto next_stats = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(options.stats_interval));
  auto on_sample = [&](const psample::PacketView& p) {
    // Kernels since 5.13 send TIMESTAMP; only older ones need a clock read per sample.
    sink.sample(p, p.has_timestamp() ? p.timestamp() : realtime_ns());
  };
  auto on_group = [&](const psample::GroupInfo& g) { sink.group_event(g); };
  auto on_drop = [&](const DropView& d) {
    sink.drop(d, d.has(psample::dropmon::attr::timestamp) ? d.timestamp_ns() : realtime_ns());
  };
  auto on_summary = [&](const SummaryView& s) { sink.drop_summary(s, realtime_ns()); };
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  auto summaries = [&] {
    if (receiver) print_summary(*receiver, seconds());
    if (monitor) print_summary(*monitor, seconds());
  };
  int status = exit_ok;
  FlushPolicy flushing(flush_interval);
  auto next_metrics = start;  // the first file at once, so a scraper finds one from the start
  while (!stop_requested && !sink.done()) {
    auto wait = flushing.wait(std::chrono::milliseconds(500));
    if (options.stats_interval > 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_stats - std::chrono::steady_clock::now());
      if (left < wait) wait = left < std::chrono::milliseconds(0) ? std::chrono::milliseconds(0) : left;
    }
    // One source waits in its own receive; two wait together in poll(),
    // then each takes what it has without waiting.
    std::chrono::milliseconds source_wait = wait;
    if (receiver && monitor) {
      if (!wait_for_either(receiver->fd(), monitor->fd(), wait)) {
        std::fprintf(stderr, "%s: poll: %s\n", tool, std::strerror(errno));
        status = exit_runtime;
        break;
      }
      source_wait = std::chrono::milliseconds(0);
    }
    size_t delivered = 0;
    psample::Result<size_t> received = size_t(0);
    if (receiver) {
      received = receiver->receive(on_sample, on_group, source_wait);
      if (received) delivered += *received;
    }
    if (monitor && (received || received.error().code() == psample::ErrorCode::interrupted)) {
      received = monitor->receive(on_drop, on_summary, source_wait);
      if (received) delivered += *received;
    }
    if (!received && received.error().code() != psample::ErrorCode::interrupted) {
      status = report(tool, received.error());
      break;
    }
    if (flushing.after_receive(delivered)) sink.flush();
    if (options.stats_interval > 0 && std::chrono::steady_clock::now() >= next_stats) {
      summaries();
      next_stats += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(options.stats_interval));
    }
    if (!options.metrics_file.empty() && std::chrono::steady_clock::now() >= next_metrics) {
      write_metrics(options, started, receiver ? &*receiver : nullptr, monitor ? &*monitor : nullptr);
      next_metrics += std::chrono::seconds(options.metrics_interval);
    }
  }
  if (!sink.finish()) status = exit_runtime;
  sampling.remove(tool);
  if (options.summary) summaries();
  write_metrics(options, started, receiver ? &*receiver : nullptr, monitor ? &*monitor : nullptr);
  // The drop monitor stops what it started as it closes (after the summary,
  // whose queue drops it asks the kernel for).
  return status;
}

// -r: the capture's datagrams through a detached Receiver and/or drop
// monitor, each taking its own family's messages.
int offline(const dump::Options& options, std::time_t started) {
  CaptureReplay replay;
  if (ExitStatus opened = replay.open(tool, options.read_file); opened != exit_ok) return opened;
  std::optional<psample::Receiver> receiver;
  if (options.samples) {
    uint16_t family_id = 0;
    if (ExitStatus resolved = replay.resolve(psample::family_name, options.family_id, "--family-id", family_id);
        resolved != exit_ok)
      return resolved;
    psample::ReceiverOptions receiver_options;
    receiver_options.accept_userspace = true;  // a capture does not tell senders apart
    receiver_options.config_events = true;     // group events in a capture are part of what it shows
    auto detached = psample::Receiver::detached(family_id, receiver_options);
    if (!detached) return report(tool, detached.error());
    receiver.emplace(std::move(*detached));
  }
  std::optional<DropMonitor> monitor;
  if (options.drops) {
    uint16_t family_id = 0;
    if (ExitStatus resolved =
            replay.resolve(psample::dropmon::family_name, options.drops_family_id, "--drops-family-id", family_id);
        resolved != exit_ok)
      return resolved;
    psample::dropmon::DropMonitorOptions o;
    o.rate_limit = options.drops_rate_limit;
    auto detached = DropMonitor::detached(family_id, o);
    if (!detached) return report(tool, detached.error());
    monitor.emplace(std::move(*detached));
  }
  dump::InterfaceNames names(false);  // the capturing host's interfaces are not ours
  Sink sink(options, names);
  if (!sink.open()) return exit_runtime;
  uint64_t time_ns = 0;
  auto on_sample = [&](const psample::PacketView& p) { sink.sample(p, time_ns); };
  auto on_group = [&](const psample::GroupInfo& g) { sink.group_event(g); };
  auto on_drop = [&](const DropView& d) { sink.drop(d, time_ns); };
  auto on_summary = [&](const SummaryView& s) { sink.drop_summary(s, time_ns); };
  const ExitStatus replayed = replay.run([&](psample::ByteView datagram, uint64_t capture_time_ns) {
    time_ns = capture_time_ns;
    if (receiver) receiver->process(datagram, 0, on_sample, on_group);
    if (monitor) monitor->process(datagram, 0, on_drop, on_summary);
    return !sink.done();
  });
  const bool written = sink.finish();
  if (receiver) print_summary(*receiver, 0);
  if (monitor) print_summary(*monitor, 0);
  write_metrics(options, started, receiver ? &*receiver : nullptr, monitor ? &*monitor : nullptr);
  return !written ? exit_runtime : replayed;
}

}  // namespace

int main(int argc, char** argv) {
  const std::time_t started = std::time(nullptr);
  dump::Options options;
  bool exit_now = false;
  if (!dump::parse_options(argc, argv, options, exit_now)) return tools::exit_usage;
  if (exit_now) return tools::exit_ok;
  // Fully buffered even on a terminal: live capture flushes after each drain
  // of the socket (see live()), so lines still appear as samples arrive.
  std::setvbuf(stdout, nullptr, _IOFBF, 1 << 16);
  if (!options.read_file.empty()) return offline(options, started);
  if (!options.netns.empty()) {
    if (tools::ExitStatus entered = tools::enter_netns("psample-dump", options.netns.c_str());
        entered != tools::exit_ok)
      return entered;
  }
  if (options.list_groups) return list(options);
  return live(options, started);
}
